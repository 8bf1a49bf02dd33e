// Executions: every execution newest first, filtered by state machine, status and name prefix, in pages.
// The page shown is loaded again every two seconds while it is visible, so running executions move on.

import { listStateMachines } from "../api.js";
import { CLOCK_MOVED, clockNow, clockRead } from "../clock_bar.js";
import { h, notice, replaceChildren } from "../dom.js";
import { firstPositions, loadPage } from "../execution_list.js";
import { executionsTable } from "../executions_table.js";
import { nameFromArn } from "../format.js";
import { oneAtATime, pollWhileVisible } from "../poller.js";
import { routeLink } from "../router.js";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
const PAGE_SIZES = [25, 50, 100];
const REFRESH_MS = 2000;

export function render(container, route) {
  const filters = {
    machine: route.params.get("machine") || "",
    status: route.params.get("status") || "",
    prefix: route.params.get("prefix") || "",
    size: Number(route.params.get("size")) || PAGE_SIZES[0],
  };
  const form = h("form", { class: "filters" });
  const table = h("div", { class: "table-holder" }, h("p", { class: "muted" }, "Loading…"));
  const pager = h("div", { class: "pager" });
  replaceChildren(container, h("h1", {}, "Executions"), form, table, pager);

  const starts = []; // the positions each page seen so far starts at: Previous goes back through them
  let machines = [];
  let shown = null;

  const show = oneAtATime(async () => {
    const page = await loadPage(starts.at(-1), {
      size: filters.size,
      status: filters.status,
      namePrefix: filters.prefix,
    });
    const rendered = JSON.stringify(page.items);
    if (rendered !== shown?.rendered || page.items.some((item) => item.status === "RUNNING")) {
      replaceChildren(table, executionsTable(page.items, { now: clockNow() }));
    }
    shown = { ...page, rendered };
    renderPager();
  });

  function renderPager() {
    replaceChildren(
      pager,
      h("button", { type: "button", id: "previous-page", disabled: starts.length < 2, onclick: previous }, "Previous"),
      h("span", { class: "muted" }, `Page ${starts.length}`),
      h("button", { type: "button", id: "next-page", disabled: !shown?.next, onclick: next }, "Next"),
    );
  }

  function next() {
    if (!shown?.next) return;
    starts.push(shown.next);
    show().catch(showError);
  }

  function previous() {
    if (starts.length < 2) return;
    starts.pop();
    show().catch(showError);
  }

  function showError(error) {
    replaceChildren(table, notice("error", `Could not list executions: ${error.message}`));
  }

  async function start() {
    [machines] = await Promise.all([listStateMachines(), clockRead()]);
    renderFilters(form, machines, filters);
    // Only Standard executions are listed (ListExecutions refuses an Express machine, as on AWS).
    const standard = machines.filter((machine) => machine.type !== "EXPRESS").map((machine) => machine.stateMachineArn);
    const arns = filters.machine ? standard.filter((arn) => arn === filters.machine) : standard;
    starts.push(firstPositions(arns));
    await show();
  }

  const refresh = () => (starts.length ? show() : Promise.resolve());
  const onClockMoved = () => refresh().catch(showError);
  window.addEventListener(CLOCK_MOVED, onClockMoved);
  const stopPolling = pollWhileVisible(REFRESH_MS, refresh, showError);
  start().catch(showError);
  return () => {
    stopPolling();
    window.removeEventListener(CLOCK_MOVED, onClockMoved);
  };
}

function renderFilters(form, machines, filters) {
  const machine = h(
    "select",
    { name: "machine", id: "filter-machine", "aria-label": "State machine" },
    h("option", { value: "" }, "All state machines"),
    machines.map((item) =>
      h("option", { value: item.stateMachineArn, selected: item.stateMachineArn === filters.machine }, nameFromArn(item.stateMachineArn)),
    ),
  );
  const status = h(
    "select",
    { name: "status", id: "filter-status", "aria-label": "Status" },
    h("option", { value: "" }, "Any status"),
    STATUSES.map((value) => h("option", { value, selected: value === filters.status }, value)),
  );
  const prefix = h("input", {
    name: "prefix",
    id: "filter-prefix",
    value: filters.prefix,
    placeholder: "Name starts with…",
    "aria-label": "Name prefix",
  });
  const size = h(
    "select",
    { name: "size", id: "filter-size", "aria-label": "Page size" },
    PAGE_SIZES.map((value) => h("option", { value, selected: value === filters.size }, `${value} per page`)),
  );
  const apply = () => {
    location.hash = routeLink("executions", null, {
      machine: machine.value,
      status: status.value,
      prefix: prefix.value,
      size: Number(size.value) === PAGE_SIZES[0] ? "" : size.value,
    });
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    apply();
  };
  for (const select of [machine, status, size]) select.addEventListener("change", apply);
  replaceChildren(form, machine, status, prefix, size, h("button", { type: "submit" }, "Filter"));
}
