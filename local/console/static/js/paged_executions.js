// Executions in pages with Previous and Next, each page loaded again on refresh() so that running ones move
// on: the Executions page (every state machine) and a Map Run's page (its child executions) list them so.

import { clockNow } from "./clock_bar.js";
import { h, replaceChildren } from "./dom.js";
import { loadPage } from "./execution_list.js";
import { executionsTable } from "./executions_table.js";
import { oneAtATime } from "./poller.js";

export const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
export const PAGE_SIZES = [25, 50, 100];

/**
 * `{table, pager, begin(positions), refresh()}`: the table and pager elements to place, begin() shows the
 * first page from `positions` (execution_list.firstPositions), refresh() loads the page shown again.
 * `filters` is {size, status, prefix}; errors of Previous and Next go to `onError`.
 */
export function executionPages({ filters, showMachine = true, onError }) {
  const table = h("div", { class: "table-holder" }, h("p", { class: "muted" }, "Loading…"));
  const pager = h("div", { class: "pager" });
  const starts = []; // the positions each page seen so far starts at: Previous goes back through them
  let shown = null;

  const show = oneAtATime(async () => {
    const page = await loadPage(starts.at(-1), {
      size: filters.size,
      status: filters.status,
      namePrefix: filters.prefix,
    });
    const rendered = JSON.stringify(page.items);
    if (rendered !== shown?.rendered || page.items.some((item) => item.status === "RUNNING")) {
      replaceChildren(table, executionsTable(page.items, { now: clockNow(), showMachine }));
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
    show().catch(onError);
  }

  function previous() {
    if (starts.length < 2) return;
    starts.pop();
    show().catch(onError);
  }

  return {
    table,
    pager,
    begin(positions) {
      starts.push(positions);
      return show();
    },
    refresh: () => (starts.length ? show() : Promise.resolve()),
  };
}

/** The status filter: a select of `STATUSES` (and "Any status") with `selected` chosen. */
export function statusSelect(selected) {
  return h(
    "select",
    { name: "status", id: "filter-status", "aria-label": "Status" },
    h("option", { value: "" }, "Any status"),
    STATUSES.map((value) => h("option", { value, selected: value === selected }, value)),
  );
}

/** The page size filter. */
export function sizeSelect(selected) {
  return h(
    "select",
    { name: "size", id: "filter-size", "aria-label": "Page size" },
    PAGE_SIZES.map((value) => h("option", { value, selected: value === selected }, `${value} per page`)),
  );
}
