// What a person can do to executions: start one (with an input checked as JSON before it is sent),
// stop one that runs, redrive one that failed. Each asks in a dialog and reports the API's answer there.

import { sfn } from "./api.js";
import { h, notice, replaceChildren } from "./dom.js";

/** Open a dialog that starts an execution of `stateMachineArn`; `onStarted(executionArn)` follows. */
export function startExecutionDialog({ stateMachineArn, machineName, input = "{}", onStarted, express = false }) {
  const text = h("textarea", { id: "start-input", rows: 14, spellcheck: false, "aria-label": "Execution input (JSON)" });
  text.value = input;
  const name = h("input", { id: "start-name", placeholder: "optional: a name, otherwise a UUID", size: 40 });
  const verdict = h("p", { id: "start-input-check", class: "input-check", role: "status" });
  const result = h("div", { class: "dialog-result" });
  const start = h("button", { type: "submit", id: "start-confirm" }, "Start execution");

  function check() {
    const problem = jsonProblem(text.value);
    verdict.textContent = problem ? `Input is not valid JSON: ${problem}` : "Input is valid JSON.";
    verdict.className = `input-check ${problem ? "error" : "ok"}`;
    start.disabled = Boolean(problem);
    return !problem;
  }

  const dialog = openDialog(
    `Start an execution of ${machineName}`,
    [h("label", {}, "Input", text), verdict, h("label", {}, "Name", name), result],
    start,
    async () => {
      if (!check()) return false;
      const parameters = { stateMachineArn, input: text.value };
      if (name.value.trim()) parameters.name = name.value.trim();
      if (express) {
        // AWS keeps no record of an Express execution to open later: run it to its end and show the answer.
        const finished = await sfn("StartSyncExecution", parameters);
        replaceChildren(result, syncResult(finished));
        return false;
      }
      const started = await sfn("StartExecution", parameters);
      onStarted(started.executionArn);
      return true;
    },
    result,
  );
  text.addEventListener("input", check);
  check();
  return dialog;
}

function syncResult(finished) {
  const outcome = finished.status === "SUCCEEDED" ? finished.output : `${finished.error || ""} ${finished.cause || ""}`;
  return h(
    "div",
    { id: "sync-result" },
    notice(finished.status === "SUCCEEDED" ? "info" : "error", `${finished.name}: ${finished.status}`),
    h("pre", {}, outcome || ""),
  );
}

/** Open a dialog that stops `executionArn` (with an optional error and cause); `onDone()` follows. */
export function stopExecutionDialog({ executionArn, onDone }) {
  const error = h("input", { id: "stop-error", placeholder: "optional", size: 30 });
  const cause = h("input", { id: "stop-cause", placeholder: "optional", size: 50 });
  const result = h("div", { class: "dialog-result" });
  return openDialog(
    "Stop this execution?",
    [h("p", {}, "The execution ends as ABORTED; the state it is in does not finish."), h("label", {}, "Error", error), h("label", {}, "Cause", cause), result],
    h("button", { type: "submit", id: "stop-confirm", class: "danger" }, "Stop execution"),
    async () => {
      const parameters = { executionArn };
      if (error.value.trim()) parameters.error = error.value.trim();
      if (cause.value.trim()) parameters.cause = cause.value.trim();
      await sfn("StopExecution", parameters);
      onDone();
      return true;
    },
    result,
  );
}

/** Redrive `executionArn`; resolves to null, or to the API's message when it refuses. */
export async function redrive(executionArn) {
  try {
    await sfn("RedriveExecution", { executionArn });
    return null;
  } catch (error) {
    return `${error.code}: ${error.message}`;
  }
}

/** Where `text` is not JSON (the parser's message), or null when it is. */
export function jsonProblem(text) {
  if (!text.trim()) return "it is empty";
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error.message;
  }
}

function openDialog(title, body, confirm, act, result) {
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const form = h("form", { method: "dialog" }, h("h2", {}, title), body, h("div", { class: "dialog-buttons" }, cancel, confirm));
  const dialog = h("dialog", { class: "action-dialog" }, form);
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  let busy = false; // a second click while the call is under way sends nothing
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    try {
      if (await act()) dialog.close();
    } catch (error) {
      replaceChildren(result, notice("error", `${error.code || "Error"}: ${error.message}`));
    } finally {
      busy = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
