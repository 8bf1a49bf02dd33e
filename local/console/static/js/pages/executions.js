// Executions: every execution newest first, filtered by state machine, status and name prefix, in pages.
// The page shown is loaded again every two seconds while it is visible, so running executions move on.
// A Map Run's child executions are not among them (ListExecutions of a state machine leaves them out, as
// on AWS): they are listed on their run's page.

import { listStateMachines } from "../api.js";
import { CLOCK_MOVED, clockRead } from "../clock_bar.js";
import { h, notice, replaceChildren } from "../dom.js";
import { firstPositions } from "../execution_list.js";
import { nameFromArn } from "../format.js";
import { PAGE_SIZES, executionPages, sizeSelect, statusSelect } from "../paged_executions.js";
import { pollWhileVisible } from "../poller.js";
import { routeLink } from "../router.js";

const REFRESH_MS = 2000;

export function render(container, route) {
  const filters = {
    machine: route.params.get("machine") || "",
    status: route.params.get("status") || "",
    prefix: route.params.get("prefix") || "",
    size: Number(route.params.get("size")) || PAGE_SIZES[0],
  };
  const form = h("form", { class: "filters" });
  const pages = executionPages({ filters, onError: showError });
  replaceChildren(container, h("h1", {}, "Executions"), form, pages.table, pages.pager);

  function showError(error) {
    replaceChildren(pages.table, notice("error", `Could not list executions: ${error.message}`));
  }

  async function start() {
    const [machines] = await Promise.all([listStateMachines(), clockRead()]);
    renderFilters(form, machines, filters);
    // Only Standard executions are listed (ListExecutions refuses an Express machine, as on AWS).
    const standard = machines.filter((machine) => machine.type !== "EXPRESS").map((machine) => machine.stateMachineArn);
    const arns = filters.machine ? standard.filter((arn) => arn === filters.machine) : standard;
    await pages.begin(firstPositions(arns));
  }

  const onClockMoved = () => pages.refresh().catch(showError);
  window.addEventListener(CLOCK_MOVED, onClockMoved);
  const stopPolling = pollWhileVisible(REFRESH_MS, pages.refresh, showError);
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
  const status = statusSelect(filters.status);
  const prefix = h("input", {
    name: "prefix",
    id: "filter-prefix",
    value: filters.prefix,
    placeholder: "Name starts with…",
    "aria-label": "Name prefix",
  });
  const size = sizeSelect(filters.size);
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
