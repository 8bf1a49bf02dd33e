// State machines: the list, each linked to its page and to its executions.

import { listStateMachines } from "../api.js";
import { h, notice, replaceChildren } from "../dom.js";
import { formatTime } from "../format.js";
import { routeLink } from "../router.js";

export function render(container) {
  const holder = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replaceChildren(container, h("h1", {}, "State machines"), holder);
  listStateMachines()
    .then((machines) => replaceChildren(holder, machinesTable(machines)))
    .catch((error) => replaceChildren(holder, notice("error", `Could not list state machines: ${error.message}`)));
  return () => {};
}

function machinesTable(machines) {
  if (machines.length === 0) return h("p", { class: "muted" }, "No state machines yet.");
  return h(
    "table",
    { class: "machines" },
    h("thead", {}, h("tr", {}, ["Name", "Type", "Created", "ARN", ""].map((title) => h("th", {}, title)))),
    h(
      "tbody",
      {},
      machines.map((machine) =>
        h(
          "tr",
          { class: "machine-row", dataset: { arn: machine.stateMachineArn } },
          h("td", {}, h("a", { href: routeLink("state-machine", machine.stateMachineArn) }, machine.name)),
          h("td", {}, machine.type),
          h("td", {}, formatTime(machine.creationDate)),
          h("td", {}, h("code", {}, machine.stateMachineArn)),
          h("td", {}, h("a", { href: routeLink("executions", null, { machine: machine.stateMachineArn }) }, "Executions")),
        ),
      ),
    ),
  );
}
