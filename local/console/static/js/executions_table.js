// The executions table of the Executions page and of a state machine's page.

import { h, statusBadge } from "./dom.js";
import { formatDuration, formatTime, nameFromArn } from "./format.js";
import { routeLink } from "./router.js";

/**
 * A table of ListExecutions items. The duration is stop - start, both the engine's dates (virtual time
 * on a virtual clock); a running execution's is counted to `now` (epoch seconds) and marked so.
 */
export function executionsTable(items, { now, showMachine = true }) {
  const header = ["Name", showMachine && "State machine", "Status", "Started", "Stopped", "Duration"];
  return h(
    "table",
    { class: "executions" },
    h("thead", {}, h("tr", {}, header.filter(Boolean).map((title) => h("th", {}, title)))),
    h(
      "tbody",
      {},
      items.length === 0
        ? h("tr", {}, h("td", { colspan: header.filter(Boolean).length, class: "muted" }, "No executions"))
        : items.map((item) => executionRow(item, now, showMachine)),
    ),
  );
}

function executionRow(item, now, showMachine) {
  const running = item.stopDate === undefined;
  const duration = (running ? now : item.stopDate) - item.startDate;
  return h(
    "tr",
    { class: "execution-row", dataset: { arn: item.executionArn, status: item.status } },
    h("td", {}, h("a", { href: routeLink("execution", item.executionArn) }, item.name)),
    showMachine &&
      h("td", {}, h("a", { href: routeLink("state-machine", item.stateMachineArn) }, nameFromArn(item.stateMachineArn))),
    h("td", {}, statusBadge(item.status), item.redriveCount ? h("span", { class: "muted" }, ` redriven ×${item.redriveCount}`) : null),
    h("td", {}, formatTime(item.startDate)),
    h("td", {}, running ? h("span", { class: "muted" }, "—") : formatTime(item.stopDate)),
    h("td", { class: running ? "running-duration" : "" }, formatDuration(duration), running ? " so far" : ""),
  );
}
