// An execution: its graph with the path taken, the selected state's visit, the event table, the input,
// output and definition, and the actions (stop, redrive, start another). While the execution runs, the
// page reads it again every second and redraws what changed.

import { executionHistory, sfn } from "../api.js";
import { redrive, startExecutionDialog, stopExecutionDialog } from "../actions.js";
import { readDefinition } from "../asl.js";
import { CLOCK_MOVED, clockRead } from "../clock_bar.js";
import { h, jsonBlock, notice, replaceChildren, statusBadge } from "../dom.js";
import { eventTable } from "../event_table.js";
import { formatTime, mapRunName, nameFromArn } from "../format.js";
import { GraphView, legend } from "../graph_view.js";
import { analyseHistory } from "../history.js";
import { breadcrumbs, fact, summary, timeFacts } from "../page_header.js";
import { oneAtATime, pollWhileVisible } from "../poller.js";
import { routeLink } from "../router.js";
import { statePanel } from "../state_panel.js";

const REFRESH_MS = 1000;
const TABS = [
  ["events", "Events"],
  ["input", "Input"],
  ["output", "Output"],
  ["definition", "Definition"],
];
const REDRIVABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

export function render(container, route) {
  const executionArn = route.arn;
  // An Express execution (a Map Run's Express child) has a description but no history, as on AWS.
  const express = executionArn.split(":")[5] === "express";
  const view = {
    execution: null,
    definition: null,
    model: null,
    events: [],
    analysis: null,
    selected: null, // the state the person clicked; until then the current (or last) state is shown
    visit: undefined,
    tab: "events",
    expanded: new Set(),
    mapRuns: new Map(), // DescribeMapRun of each Distributed Map run in the history, by ARN
  };
  const header = h("div", { class: "execution-header" });
  const message = h("div", { id: "action-message" });
  const graph = h("div", { class: "graph", id: "graph" });
  const panel = h("aside", { class: "panel-holder" });
  const tabs = h("div", { class: "tabs", role: "tablist" });
  const tabContent = h("div", { class: "tab-content", id: "tab-content" });
  const graphView = new GraphView(graph, {
    onSelect: (name) => {
      view.selected = name;
      view.visit = undefined;
      drawGraph();
      drawPanel();
    },
  });
  replaceChildren(
    container,
    header,
    message,
    h("div", { class: "execution-body" }, h("div", { class: "graph-pane" }, graph, legend()), panel),
    tabs,
    tabContent,
  );
  header.append(h("p", { class: "muted" }, "Loading…"));

  async function load() {
    const [execution, machine, events] = await Promise.all([
      sfn("DescribeExecution", { executionArn }),
      view.definition ? null : sfn("DescribeStateMachineForExecution", { executionArn }),
      express ? [] : executionHistory(executionArn),
      clockRead(),
    ]);
    if (machine) {
      view.definition = machine.definition;
      view.model = readDefinition(machine.definition);
    }
    const changed =
      !view.execution ||
      execution.status !== view.execution.status ||
      execution.redriveCount !== view.execution.redriveCount ||
      events.length !== view.events.length;
    const analysis = changed && !express ? analyseHistory(events, execution.status) : view.analysis;
    const runsChanged = await readMapRuns(analysis, changed);
    view.execution = execution;
    drawHeader();
    if (!changed && !runsChanged) return;
    view.events = events;
    view.analysis = analysis;
    await drawGraph();
    drawPanel();
    drawTabs();
  }

  const refresh = oneAtATime(async () => {
    if (view.execution?.status === "RUNNING" || !view.execution) {
      await load();
      return;
    }
    // A finished execution changes only when redriven: a DescribeExecution is enough to notice.
    const execution = await sfn("DescribeExecution", { executionArn });
    if (execution.status !== view.execution.status || execution.redriveCount !== view.execution.redriveCount) {
      await load();
    }
  });

  /**
   * Reads the Map Runs the history started (again while they run, or when the history moved on) and gives
   * each Map visit its run's status and child executions by status; whether any of them changed.
   */
  async function readMapRuns(analysis, historyChanged) {
    if (!analysis) return false;
    const runs = analysis.entries.filter((entry) => entry.mapRun).map((entry) => entry.mapRun);
    const arns = [...new Set(runs.map((run) => run.arn))];
    const stale = arns.filter((arn) => historyChanged || (view.mapRuns.get(arn)?.status ?? "RUNNING") === "RUNNING");
    const read = await Promise.all(stale.map((mapRunArn) => sfn("DescribeMapRun", { mapRunArn })));
    let changed = false;
    for (const run of read) {
      const before = view.mapRuns.get(run.mapRunArn);
      changed ||= before?.status !== run.status || JSON.stringify(before?.executionCounts) !== JSON.stringify(run.executionCounts);
      view.mapRuns.set(run.mapRunArn, run);
    }
    for (const run of runs) {
      const described = view.mapRuns.get(run.arn);
      Object.assign(run, { status: described.status, counts: described.executionCounts });
    }
    return changed;
  }

  function selectedState() {
    if (view.selected) return view.selected;
    if (!view.analysis) return view.model.root.startAt;
    const entries = view.analysis.entries;
    const current = entries.filter((entry) => entry.outcome === "running").at(-1);
    return (current || entries.at(-1))?.state ?? view.model.root.startAt;
  }

  async function drawGraph() {
    await graphView.show(view.model, view.analysis, selectedState());
  }

  function drawPanel() {
    replaceChildren(
      panel,
      statePanel({
        model: view.model,
        analysis: view.analysis,
        stateName: selectedState(),
        visit: view.visit,
        onVisit: (index) => {
          view.visit = index;
          drawPanel();
        },
      }),
    );
  }

  function drawHeader() {
    const execution = view.execution;
    const running = execution.status === "RUNNING";
    replaceChildren(
      header,
      breadcrumbs(
        // A Map Run's child runs the Map's item processor, not a state machine of its own: its way up is its run.
        execution.mapRunArn
          ? h("a", { href: routeLink("map-run", execution.mapRunArn) }, `Map Run ${mapRunName(execution.mapRunArn)}`)
          : h("a", { href: routeLink("state-machine", execution.stateMachineArn) }, nameFromArn(execution.stateMachineArn)),
      ),
      h("h1", {}, h("span", { id: "execution-name" }, execution.name), " ", statusBadge(execution.status, { id: "execution-status" })),
      h(
        "div",
        { class: "actions" },
        running && h("button", { type: "button", id: "stop-execution", class: "danger", onclick: stopClicked }, "Stop execution"),
        REDRIVABLE.has(execution.status) &&
          !execution.mapRunArn &&
          h(
            "button",
            { type: "button", id: "redrive-execution", disabled: execution.redriveStatus !== "REDRIVABLE", onclick: redriveClicked },
            "Redrive",
          ),
        !execution.mapRunArn &&
          h("button", { type: "button", id: "start-execution", class: "secondary", onclick: startClicked }, "New execution"),
      ),
      execution.mapRunArn &&
        notice(
          "info",
          "A child execution of the Map Run ",
          h("a", { href: routeLink("map-run", execution.mapRunArn), id: "parent-map-run" }, mapRunName(execution.mapRunArn)),
          ": it processed an item of a Distributed Map.",
        ),
      summary(
        fact("Execution ARN", h("code", {}, execution.executionArn)),
        timeFacts(execution),
        execution.redriveCount ? fact("Redriven", `${execution.redriveCount}× (last ${formatTime(execution.redriveDate)})`) : null,
      ),
      (execution.error || execution.cause) &&
        notice("error", h("strong", { id: "execution-error" }, execution.error || ""), execution.cause ? h("pre", { class: "cause" }, execution.cause) : null),
    );
  }

  function drawTabs() {
    replaceChildren(
      tabs,
      TABS.map(([key, title]) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            class: key === view.tab ? "tab active" : "tab",
            "aria-selected": String(key === view.tab),
            dataset: { tab: key },
            onclick: () => {
              view.tab = key;
              drawTabs();
            },
          },
          key === "events" ? `${title} (${view.events.length})` : title,
        ),
      ),
    );
    replaceChildren(tabContent, tabBody());
  }

  function tabBody() {
    const execution = view.execution;
    if (view.tab === "events" && express) {
      return h("p", { class: "muted", id: "no-history" }, "Step Functions keeps no history of an Express execution: its status, input and output are all there is.");
    }
    if (view.tab === "events") return eventTable(view.events, view.analysis, view.expanded);
    if (view.tab === "input") return jsonBlock(execution.input, { id: "execution-input" });
    if (view.tab === "definition") return jsonBlock(view.definition, { id: "execution-definition" });
    if (execution.output !== undefined) return jsonBlock(execution.output, { id: "execution-output" });
    return h("p", { class: "muted", id: "execution-output" }, execution.status === "RUNNING" ? "No output yet: the execution runs." : "No output.");
  }

  function stopClicked() {
    stopExecutionDialog({ executionArn, onDone: () => refresh().catch(showError) });
  }

  async function redriveClicked() {
    const refused = await redrive(executionArn);
    replaceChildren(message, refused ? notice("error", `Not redriven: ${refused}`) : notice("info", "Redriven."));
    await refresh().catch(showError);
  }

  function startClicked() {
    startExecutionDialog({
      stateMachineArn: view.execution.stateMachineArn,
      machineName: nameFromArn(view.execution.stateMachineArn),
      input: view.execution.input,
      onStarted: (arn) => (location.hash = routeLink("execution", arn)),
    });
  }

  function showError(error) {
    replaceChildren(message, notice("error", `Could not read the execution: ${error.message}`));
  }

  const onClockMoved = () => refresh().catch(showError);
  window.addEventListener(CLOCK_MOVED, onClockMoved);
  const stopPolling = pollWhileVisible(REFRESH_MS, refresh, showError);
  refresh().catch(showError);
  return () => {
    stopPolling();
    window.removeEventListener(CLOCK_MOVED, onClockMoved);
  };
}
