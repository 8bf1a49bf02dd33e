// The panel beside the graph: one visit of the selected state, as the history tells it (input, output,
// the parameters its task was called with, variables assigned, error and cause, attempts, times).

import { h, jsonBlock, statusBadge } from "./dom.js";
import { formatDuration, formatTime, mapRunName } from "./format.js";
import { childrenText, inMapRun } from "./graph.js";
import { detailsOf, errorOf, resourceOf } from "./history.js";
import { routeLink } from "./router.js";

const OUTCOME_TEXT = {
  running: "In progress",
  succeeded: "Succeeded",
  retried: "Succeeded after retries",
  caught: "Failed, caught",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * The panel for `stateName` of `model` (asl.readDefinition) in `analysis` (history.analyseHistory, or
 * null for a state machine without an execution); `visit` is the index of the visit shown (default: the
 * latest), `onVisit(index)` shows another.
 */
export function statePanel({ model, analysis, stateName, visit, onVisit }) {
  const state = model.states.get(stateName);
  if (!state) return h("div", { class: "state-panel muted" }, "Select a state in the graph.");
  const entries = analysis?.states.get(stateName)?.entries || [];
  const index = visit === undefined || visit >= entries.length ? entries.length - 1 : visit;
  const entry = entries[index];
  return h(
    "div",
    { class: "state-panel", id: "state-panel", dataset: { state: stateName } },
    h("h2", {}, stateName, " ", h("span", { class: "muted" }, state.type)),
    state.spec.Comment && h("p", { class: "state-comment" }, state.spec.Comment),
    analysis && !entry && notVisited(model, analysis, stateName),
    entry && visitHeader(entry, entries.length, index, onVisit),
    entry && visitBody(entry),
    h(
      "details",
      { class: "state-definition", open: !analysis },
      h("summary", {}, "Definition of this state"),
      jsonBlock(JSON.stringify(state.spec)),
    ),
  );
}

function visitHeader(entry, count, index, onVisit) {
  return h(
    "div",
    { class: "visit-header" },
    h("p", { class: `outcome outcome-${entry.outcome}`, dataset: { field: "outcome" } }, OUTCOME_TEXT[entry.outcome]),
    count > 1 &&
      h(
        "p",
        { class: "visits" },
        h("button", { type: "button", disabled: index === 0, onclick: () => onVisit(index - 1) }, "‹"),
        ` Visit ${index + 1} of ${count} `,
        h("button", { type: "button", disabled: index === count - 1, onclick: () => onVisit(index + 1) }, "›"),
      ),
  );
}

function visitBody(entry) {
  const entered = entry.entered.timestamp;
  const left = entry.exited?.timestamp;
  const facts = [
    ["Entered", formatTime(entered)],
    left !== undefined && ["Exited", `${formatTime(left)} (after ${formatDuration(left - entered)})`],
    entry.attempts.length > 0 && ["Attempts", String(entry.attempts.length)],
    entry.attempts.length > 0 && ["Resource", resourceOf(entry.attempts.at(-1))],
    entry.starts > 1 && ["Runs", String(entry.starts)],
    entry.type === "Map" && !entry.mapRun && ["Iterations", iterationText(entry)],
    entry.mapRun && ["Map Run", mapRunLink(entry.mapRun)],
  ].filter(Boolean);
  const parameters = entry.attempts.at(-1) && detailsOf(entry.attempts.at(-1));
  const assigned = entry.exited && detailsOf(entry.exited)?.assignedVariables;
  const error = errorOf(entry);
  return [
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    error && section("error", "Error", h("p", { class: "error-name" }, error.error || ""), error.cause && h("pre", { class: "cause" }, error.cause)),
    section("input", "Input", jsonBlock(detailsOf(entry.entered)?.input)),
    section("output", "Output", entry.exited ? jsonBlock(detailsOf(entry.exited)?.output) : h("p", { class: "muted" }, "No output yet")),
    parameters && section("parameters", "Parameters / arguments", jsonBlock(parameters.parameters ?? parameters.input)),
    assigned && section("variables", "Variables assigned", variablesBlock(assigned)),
  ];
}

function notVisited(model, analysis, stateName) {
  if (inMapRun(model, analysis, stateName)) {
    return h("p", { class: "muted", dataset: { field: "outcome" } }, "Runs in the Map Run's child executions: open one from the Map Run's page.");
  }
  return h("p", { class: "outcome outcome-notVisited", dataset: { field: "outcome" } }, "Not visited");
}

/** A Distributed Map's run: a link to its page, its status, and its children by status once read. */
function mapRunLink(mapRun) {
  return h(
    "span",
    {},
    h("a", { href: routeLink("map-run", mapRun.arn), id: "map-run-link" }, mapRunName(mapRun.arn)),
    " ",
    statusBadge(mapRun.status),
    mapRun.counts ? h("span", { class: "muted", id: "map-run-children" }, ` ${childrenText(mapRun.counts)}`) : null,
  );
}

function iterationText(entry) {
  const { started, succeeded, failed, aborted } = entry.iterations;
  const items = entry.mapLength === undefined ? "" : `${entry.mapLength} items, `;
  return `${items}${started} started: ${succeeded} succeeded, ${failed} failed, ${aborted} aborted`;
}

function variablesBlock(assigned) {
  const values = Object.fromEntries(
    Object.entries(assigned).map(([name, text]) => {
      try {
        return [name, JSON.parse(text)];
      } catch {
        return [name, text];
      }
    }),
  );
  return jsonBlock(JSON.stringify(values));
}

function section(field, title, ...content) {
  return h("section", { class: "state-field", dataset: { field } }, h("h3", {}, title), ...content);
}
