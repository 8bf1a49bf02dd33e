// A state machine: its graph and definition (DescribeStateMachine), its latest executions, and a way to
// start one.

import { sfn } from "../api.js";
import { startExecutionDialog } from "../actions.js";
import { readDefinition } from "../asl.js";
import { CLOCK_MOVED, clockNow, clockRead } from "../clock_bar.js";
import { h, jsonBlock, notice, replaceChildren } from "../dom.js";
import { executionsTable } from "../executions_table.js";
import { formatTime } from "../format.js";
import { GraphView } from "../graph_view.js";
import { oneAtATime, pollWhileVisible } from "../poller.js";
import { routeLink } from "../router.js";
import { statePanel } from "../state_panel.js";

const RECENT = 10;
const REFRESH_MS = 2000;

export function render(container, route) {
  const arn = route.arn;
  const header = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const graph = h("div", { class: "graph", id: "graph" });
  const panel = h("aside", { class: "panel-holder" });
  const recent = h("div", { id: "recent-executions" });
  const definition = h("div");
  let model = null;
  let selected = null;
  const graphView = new GraphView(graph, {
    onSelect: (name) => {
      selected = name;
      graphView.select(name);
      replaceChildren(panel, statePanel({ model, analysis: null, stateName: name }));
    },
  });
  replaceChildren(
    container,
    header,
    h("div", { class: "execution-body" }, h("div", { class: "graph-pane" }, graph), panel),
    h("h2", {}, "Latest executions"),
    recent,
    h("h2", {}, "Definition"),
    definition,
  );

  async function load() {
    const machine = await sfn("DescribeStateMachine", { stateMachineArn: arn });
    model = readDefinition(machine.definition);
    model.express = machine.type === "EXPRESS";
    selected = selected || model.root.startAt;
    replaceChildren(
      header,
      h("p", { class: "breadcrumbs" }, h("a", { href: routeLink("state-machines") }, "State machines")),
      h("h1", {}, machine.name, " ", h("span", { class: "muted" }, machine.type)),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", id: "start-execution", onclick: () => start(machine) }, "Start execution"),
        h("a", { class: "button secondary", href: routeLink("executions", null, { machine: arn }) }, "All executions"),
      ),
      h(
        "dl",
        { class: "summary" },
        h("dt", {}, "ARN"),
        h("dd", {}, h("code", {}, machine.stateMachineArn)),
        h("dt", {}, "Created"),
        h("dd", {}, formatTime(machine.creationDate)),
        h("dt", {}, "Role"),
        h("dd", {}, h("code", {}, machine.roleArn)),
      ),
    );
    replaceChildren(definition, jsonBlock(machine.definition, { id: "machine-definition" }));
    await graphView.show(model, null, selected);
    replaceChildren(panel, statePanel({ model, analysis: null, stateName: selected }));
    await loadRecent();
  }

  const loadRecent = oneAtATime(async () => {
    if (model.express) {
      // ListExecutions refuses an Express machine, as on AWS: Step Functions keeps no record of those runs.
      replaceChildren(recent, h("p", { class: "muted" }, "Express executions are not recorded: start one to see its result."));
      return;
    }
    const [page] = await Promise.all([sfn("ListExecutions", { stateMachineArn: arn, maxResults: RECENT }), clockRead()]);
    replaceChildren(recent, executionsTable(page.executions, { now: clockNow(), showMachine: false }));
  });

  function start(machine) {
    startExecutionDialog({
      stateMachineArn: machine.stateMachineArn,
      machineName: machine.name,
      express: machine.type === "EXPRESS",
      onStarted: (executionArn) => (location.hash = routeLink("execution", executionArn)),
    });
  }

  const showError = (error) => replaceChildren(header, notice("error", `Could not read the state machine: ${error.message}`));
  const onClockMoved = () => loadRecent().catch(showError);
  window.addEventListener(CLOCK_MOVED, onClockMoved);
  const stopPolling = pollWhileVisible(REFRESH_MS, () => (model ? loadRecent() : Promise.resolve()), showError);
  load().catch(showError);
  return () => {
    stopPolling();
    window.removeEventListener(CLOCK_MOVED, onClockMoved);
  };
}
