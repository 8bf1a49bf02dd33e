// A Map Run: the run a Distributed Map state started (DescribeMapRun): its status, times, limits, its
// items and child executions counted by status, and the child executions themselves (ListExecutions by
// mapRunArn) in pages, filtered by status. While the run runs, the page follows it every second.

import { sfn } from "../api.js";
import { CLOCK_MOVED, clockRead } from "../clock_bar.js";
import { h, notice, replaceChildren, statusBadge } from "../dom.js";
import { firstPositions } from "../execution_list.js";
import { mapRunName, nameFromArn } from "../format.js";
import { breadcrumbs, fact, summary, timeFacts } from "../page_header.js";
import { PAGE_SIZES, executionPages, sizeSelect, statusSelect } from "../paged_executions.js";
import { oneAtATime, pollWhileVisible } from "../poller.js";
import { routeLink } from "../router.js";

const REFRESH_MS = 1000;
// DescribeMapRun's itemCounts and executionCounts members, in the order they are shown.
const COUNTS = [
  ["pending", "Pending"],
  ["running", "Running"],
  ["succeeded", "Succeeded"],
  ["failed", "Failed"],
  ["timedOut", "Timed out"],
  ["aborted", "Aborted"],
  ["total", "Total"],
  ["resultsWritten", "Results written"],
];

export function render(container, route) {
  const mapRunArn = route.arn;
  const filters = { status: route.params.get("status") || "", size: Number(route.params.get("size")) || PAGE_SIZES[0] };
  const header = h("div", { class: "execution-header" }, h("p", { class: "muted" }, "Loading…"));
  const counts = h("div", { id: "map-run-counts" });
  const children = executionPages({ filters, showMachine: false, onError: showError });
  replaceChildren(
    container,
    header,
    h("h2", {}, "Items and child executions"),
    counts,
    h("h2", {}, "Child executions"),
    childFilters(mapRunArn, filters),
    children.table,
    children.pager,
  );
  let run = null;

  const refresh = oneAtATime(async () => {
    const [described] = await Promise.all([sfn("DescribeMapRun", { mapRunArn }), clockRead()]);
    const changed = JSON.stringify(described) !== JSON.stringify(run);
    run = described;
    drawHeader();
    if (changed) replaceChildren(counts, countsTable(run));
    if (changed || run.status === "RUNNING") await children.refresh(); // running children's durations move on
  });

  function drawHeader() {
    replaceChildren(
      header,
      breadcrumbs(h("a", { href: routeLink("execution", run.executionArn) }, nameFromArn(run.executionArn))),
      h("h1", {}, "Map Run ", h("span", { id: "map-run-name" }, mapRunName(run.mapRunArn)), " ", statusBadge(run.status, { id: "map-run-status" })),
      summary(
        fact("Map Run ARN", h("code", {}, run.mapRunArn)),
        fact("Parent execution", h("a", { href: routeLink("execution", run.executionArn), id: "map-run-parent" }, run.executionArn)),
        timeFacts(run),
        fact("Max concurrency", run.maxConcurrency === 0 ? "0 (no limit)" : String(run.maxConcurrency)),
        fact("Tolerated failures", `${run.toleratedFailureCount} executions, ${run.toleratedFailurePercentage}%`),
        run.redriveCount ? fact("Redriven", `${run.redriveCount}×`) : null,
      ),
    );
  }

  function showError(error) {
    replaceChildren(header, notice("error", `Could not read the Map Run: ${error.message}`));
  }

  const onClockMoved = () => refresh().catch(showError);
  window.addEventListener(CLOCK_MOVED, onClockMoved);
  const stopPolling = pollWhileVisible(REFRESH_MS, refresh, showError);
  refresh()
    .then(() => children.begin(firstPositions([mapRunArn], "mapRunArn")))
    .catch(showError);
  return () => {
    stopPolling();
    window.removeEventListener(CLOCK_MOVED, onClockMoved);
  };
}

function countsTable(run) {
  const row = (key, title, tally) =>
    h(
      "tr",
      { dataset: { counts: key } },
      h("th", {}, title),
      COUNTS.map(([member]) => h("td", { dataset: { count: member } }, String(tally[member] ?? 0))),
    );
  return h(
    "table",
    { class: "map-run-counts" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), COUNTS.map(([, title]) => h("th", {}, title)))),
    h("tbody", {}, row("items", "Items", run.itemCounts), row("executions", "Child executions", run.executionCounts)),
  );
}

function childFilters(mapRunArn, filters) {
  const status = statusSelect(filters.status);
  const size = sizeSelect(filters.size);
  const apply = () => {
    location.hash = routeLink("map-run", mapRunArn, {
      status: status.value,
      size: Number(size.value) === PAGE_SIZES[0] ? "" : size.value,
    });
  };
  for (const select of [status, size]) select.addEventListener("change", apply);
  return h("form", { class: "filters", onsubmit: (event) => event.preventDefault() }, status, size);
}
