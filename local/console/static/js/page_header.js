// The top of a detail page: the way back up (breadcrumbs) and the facts under its title (a summary list),
// as an execution's page and a Map Run's page show them.

import { clockNow } from "./clock_bar.js";
import { h } from "./dom.js";
import { formatDuration, formatTime } from "./format.js";
import { routeLink } from "./router.js";

/** "Executions / <link>": the Executions list, then `parent` (a link). */
export function breadcrumbs(parent) {
  return h("p", { class: "breadcrumbs" }, h("a", { href: routeLink("executions") }, "Executions"), " / ", parent);
}

/** A <dl class="summary"> of `facts` (each from fact(); null ones left out). */
export function summary(...facts) {
  return h("dl", { class: "summary" }, facts);
}

export function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

/**
 * Started, Stopped and Duration of what has a startDate and, once it has ended, a stopDate (epoch seconds,
 * as the API returns them); what still runs has its duration counted to the engine's clock, marked so.
 */
export function timeFacts({ startDate, stopDate }) {
  const running = stopDate === undefined;
  return [
    fact("Started", formatTime(startDate)),
    fact("Stopped", running ? "—" : formatTime(stopDate)),
    fact("Duration", `${formatDuration((running ? clockNow() : stopDate) - startDate)}${running ? " so far" : ""}`),
  ];
}
