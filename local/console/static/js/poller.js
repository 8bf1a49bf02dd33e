// Repeats a refresh while the page is visible: live updates without loading a hidden tab's server.

/**
 * Run `task` every `intervalMs` while the document is visible (never two runs at once); returns stop().
 * A run that throws is reported to `onError` and the polling goes on.
 */
export function pollWhileVisible(intervalMs, task, onError = console.error) {
  let timer = null;
  let stopped = false;
  let running = false;

  async function tick() {
    timer = null;
    if (stopped || running || document.visibilityState !== "visible") return;
    running = true;
    try {
      await task();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
      schedule();
    }
  }

  function schedule() {
    if (!stopped && timer === null && document.visibilityState === "visible") {
      timer = setTimeout(tick, intervalMs);
    }
  }

  function onVisibility() {
    if (document.visibilityState === "visible" && !running) {
      clearTimeout(timer);
      timer = null;
      tick();
    }
  }

  document.addEventListener("visibilitychange", onVisibility);
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  };
}

/** `task` made to run one call at a time: a call made while one runs waits for it to finish first. */
export function oneAtATime(task) {
  let last = Promise.resolve();
  return () => {
    last = last.catch(() => {}).then(task);
    return last;
  };
}
