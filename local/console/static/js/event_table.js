// The execution's events as the AWS console lists them: id, type, step, resource, time since the start,
// timestamp; a click on a row shows the event's details.

import { h } from "./dom.js";
import { formatDuration, formatTime } from "./format.js";
import { detailsOf, resourceOf } from "./history.js";
import { routeLink } from "./router.js";

const TASK_EVENT = /^(Task|LambdaFunction)/;

/** The table for `events` of an execution; `expanded` (a Set of event ids) is kept across redraws. */
export function eventTable(events, analysis, expanded) {
  const startedAt = analysis.startedAt;
  const rows = events.flatMap((event) => {
    const entry = analysis.entryOfEvent.get(event.id);
    const resource = TASK_EVENT.test(event.type) ? resourceOf(event) || resourceOf(entry?.attempts.at(-1) || {}) : "";
    const details = h("tr", { class: "event-details", hidden: !expanded.has(event.id) }, h("td", { colspan: 6 }, detailsBlock(event)));
    const row = h(
      "tr",
      {
        class: `event-row event-${eventTone(event.type)}`,
        dataset: { eventId: event.id, type: event.type },
        "aria-expanded": String(expanded.has(event.id)),
        onclick: () => {
          const open = !expanded.has(event.id);
          if (open) expanded.add(event.id);
          else expanded.delete(event.id);
          details.hidden = !open;
          row.setAttribute("aria-expanded", String(open));
        },
      },
      h("td", {}, String(event.id)),
      h("td", {}, event.type),
      h("td", {}, entry?.state || ""),
      h("td", { class: "resource" }, event.type === "MapRunStarted" ? mapRunLink(event) : resource || ""),
      h("td", {}, formatDuration(event.timestamp - startedAt)),
      h("td", {}, formatTime(event.timestamp)),
    );
    return [row, details];
  });
  return h(
    "table",
    { class: "events", id: "event-table" },
    h("thead", {}, h("tr", {}, ["ID", "Type", "Step", "Resource", "Started after", "Date and time"].map((title) => h("th", {}, title)))),
    h("tbody", {}, rows),
  );
}

/** The Map Run a MapRunStarted event started, linked to its page (the click opens it, not the details). */
function mapRunLink(event) {
  const arn = detailsOf(event)?.mapRunArn;
  if (!arn) return "";
  return h("a", { href: routeLink("map-run", arn), class: "map-run-link", onclick: (click) => click.stopPropagation() }, arn);
}

function eventTone(type) {
  if (/(Failed|TimedOut|Aborted)$/.test(type)) return "bad";
  if (/Succeeded$/.test(type)) return "good";
  return "plain";
}

/** The event as the API returned it, with JSON text inside (input, output, parameters) shown as JSON. */
function detailsBlock(event) {
  const shown = { ...event };
  for (const [key, value] of Object.entries(shown)) {
    if (key.endsWith("EventDetails")) shown[key] = withJsonText(value);
  }
  return h("pre", { class: "json" }, JSON.stringify(shown, null, 2));
}

function withJsonText(details) {
  const shown = {};
  for (const [key, value] of Object.entries(details)) {
    shown[key] = value;
    if (typeof value === "string" && /^[[{]/.test(value)) {
      try {
        shown[key] = JSON.parse(value);
      } catch {
        // not JSON after all: shown as the text it is
      }
    }
  }
  return shown;
}
