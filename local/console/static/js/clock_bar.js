// The clock in the header of every page: its mode and time, and for a virtual or skip clock the controls
// that move it (by a duration, or to the next timer). A move tells the page, which refreshes itself.

import { moveClock, readClock } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { formatDuration, formatIsoTime, parseDuration } from "./format.js";
import { pollWhileVisible } from "./poller.js";

export const CLOCK_MOVED = "console:clock-moved";
const ADJUSTABLE_MODES = new Set(["virtual", "skip"]);
const REFRESH_MS = 2000;

let reading = null; // the last {now, mode} the endpoint answered
let firstReading = Promise.resolve();

/** The engine's current time in epoch seconds, as last read (the wall clock's, for a real clock). */
export function clockNow() {
  if (!reading || reading.mode === "real") return Date.now() / 1000;
  return Date.parse(reading.now) / 1000;
}

/** Settles once the clock has been read for the first time (or could not be): clockNow() is then the engine's. */
export function clockRead() {
  return firstReading;
}

/** Show the clock in `container` and keep it current. */
export function mountClockBar(container) {
  const mode = h("span", { class: "clock-mode", id: "clock-mode" }, "clock");
  const now = h("time", { class: "clock-now", id: "clock-now" }, "…");
  const controls = h("span", { class: "clock-controls" });
  const message = h("span", { class: "clock-message", id: "clock-message", role: "status" });
  replaceChildren(container, mode, now, controls, message);

  function show(answer) {
    reading = answer;
    mode.textContent = `${reading.mode} clock`;
    mode.dataset.mode = reading.mode;
    now.textContent = formatIsoTime(reading.now);
    now.dateTime = reading.now;
    const adjustable = ADJUSTABLE_MODES.has(reading.mode);
    if (adjustable && !controls.firstChild) replaceChildren(controls, moveControls(move));
    if (!adjustable) controls.replaceChildren();
  }

  async function refresh() {
    show(await readClock());
  }

  async function move(request, describe) {
    const buttons = controls.querySelectorAll("button");
    buttons.forEach((button) => (button.disabled = true));
    message.className = "clock-message";
    message.textContent = "moving…";
    try {
      const before = clockNow();
      show(await moveClock(request));
      message.textContent = describe(clockNow() - before);
      window.dispatchEvent(new CustomEvent(CLOCK_MOVED, { detail: reading }));
    } catch (error) {
      message.className = "clock-message error";
      message.textContent = error.message;
    } finally {
      buttons.forEach((button) => (button.disabled = false));
    }
  }

  pollWhileVisible(REFRESH_MS, refresh, () => (now.textContent = "clock unavailable"));
  firstReading = refresh().catch(() => (now.textContent = "clock unavailable"));
}

function moveControls(move) {
  const duration = h("input", {
    name: "duration",
    id: "clock-duration",
    placeholder: "90m, 3d, 1d12h",
    size: 10,
    "aria-label": "Duration to advance the clock by",
  });
  const form = h(
    "form",
    {
      class: "clock-advance",
      onsubmit: (event) => {
        event.preventDefault();
        let seconds;
        try {
          seconds = parseDuration(duration.value);
        } catch (error) {
          const message = document.getElementById("clock-message");
          message.className = "clock-message error";
          message.textContent = error.message;
          return;
        }
        move({ advanceSeconds: seconds }, () => `advanced ${formatDuration(seconds)}`);
      },
    },
    duration,
    h("button", { type: "submit", id: "clock-advance" }, "Advance"),
  );
  const next = h(
    "button",
    {
      type: "button",
      id: "clock-next-timer",
      title: "Move the clock to the moment the earliest waiting execution's timer falls due",
      onclick: () => move({ toNextTimer: true }, (moved) => `ran to the next timer (+${formatDuration(moved)})`),
    },
    "Run to next timer",
  );
  return [form, next];
}
