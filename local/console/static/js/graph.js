// Mermaid flowchart text for a state machine definition: one node per state, Map and Parallel states as
// groups (subgraphs) holding their iteration's or branches' states, Next/Choice/Default/Catch edges.
// Given an execution's analysed history, each visited state gets the class of its latest visit's
// outcome, states never visited get `notVisited`, and the edges the execution took are drawn bold.
// mermaid does the layout; this module only writes the text.

import { matchingCatcher } from "./asl.js";

// One class per outcome (see history.js); `plain` draws a state machine without an execution.
export const CLASS_STYLES = {
  plain: "fill:#ffffff,stroke:#5f6b7a,color:#16191f",
  notVisited: "fill:#f6f7f9,stroke:#c3c7cf,color:#8d929b,stroke-dasharray:4 3",
  running: "fill:#e8f0fe,stroke:#1a73e8,color:#0b3d91,stroke-width:3px",
  succeeded: "fill:#e6f4ea,stroke:#1e8e3e,color:#0d5323",
  retried: "fill:#e0f2f1,stroke:#00796b,color:#004d40,stroke-width:2px",
  caught: "fill:#fef7e0,stroke:#e37400,color:#6d3a00",
  failed: "fill:#fce8e6,stroke:#d93025,color:#8c1d18,stroke-width:2px",
  cancelled: "fill:#eceff1,stroke:#5f6368,color:#3c4043,stroke-dasharray:2 2",
  terminal: "fill:#ffffff,stroke:#5f6b7a,color:#16191f",
};
const TAKEN_LINK = "stroke:#1e8e3e,stroke-width:3px";
const UNTAKEN_LINK = "stroke:#c3c7cf";
const START_ID = "xstart";
const END_ID = "xend";
const LABEL_LIMIT = 40; // characters of an edge's list of caught errors

/**
 * `{text, stateOfId}`: the flowchart of `model` (from asl.readDefinition), coloured by `analysis`
 * (from history.analyseHistory) when given; stateOfId maps each mermaid node or subgraph id to its state.
 */
export function flowchart(model, analysis) {
  const ids = new Map();
  [...model.states.keys()].forEach((name, index) => ids.set(name, `n${index}`));
  const writer = { lines: ["flowchart TB"], links: [], ids, model, analysis };
  for (const [name, style] of Object.entries(CLASS_STYLES)) writer.lines.push(`  classDef ${name} ${style}`);
  writer.lines.push(`  ${START_ID}(["Start"]):::terminal`);
  writeScope(writer, model.root, "  ");
  writer.lines.push(`  ${END_ID}(["End"]):::terminal`);
  writeLinks(writer);
  const stateOfId = new Map([...ids].map(([name, id]) => [id, name]));
  return { text: writer.lines.join("\n"), stateOfId };
}

function writeScope(writer, scope, indent) {
  for (const name of scope.names) {
    const state = writer.model.states.get(name);
    const id = writer.ids.get(name);
    const outcomeClass = classOf(writer.model, writer.analysis, name);
    if (state.children.length === 0) {
      writer.lines.push(`${indent}${id}${shape(state, label(state, writer.analysis))}:::${outcomeClass}`);
      continue;
    }
    writer.lines.push(`${indent}subgraph ${id}["${subgraphLabel(state, writer.analysis)}"]`);
    writer.lines.push(`${indent}  direction TB`);
    if (state.type === "Parallel") {
      state.children.forEach((branch, index) => {
        writer.lines.push(`${indent}  subgraph ${id}b${index}["${escape(branch.label)}"]`);
        writeScope(writer, branch, `${indent}    `);
        writer.lines.push(`${indent}  end`);
      });
    } else {
      writeScope(writer, state.children[0], `${indent}  `);
    }
    writer.lines.push(`${indent}end`);
    // mermaid applies classes to nodes only: a group gets the same style directly.
    writer.lines.push(`${indent}style ${id} ${CLASS_STYLES[outcomeClass]}`);
  }
}

/** The class `name` is drawn with: its latest visit's outcome, `notVisited`, or `plain` without an execution. */
export function classOf(model, analysis, name) {
  if (!analysis) return "plain";
  const summary = analysis.states.get(name);
  if (summary) return summary.latest.outcome;
  return inMapRun(model, analysis, name) ? "plain" : "notVisited";
}

/**
 * Whether `name` is a state of a Distributed Map's item processor that ran as a Map Run: its visits are in
 * the run's child executions, not in this history, so it is drawn plain rather than never visited.
 */
export function inMapRun(model, analysis, name) {
  for (let owner = model.states.get(name)?.scope.owner; owner; owner = owner.scope.owner) {
    if (analysis.states.get(owner.name)?.latest.mapRun) return true;
  }
  return false;
}

function shape(state, text) {
  if (state.type === "Choice") return `{{"${text}"}}`;
  if (state.type === "Succeed" || state.type === "Fail") return `(["${text}"])`;
  return `("${text}")`;
}

function label(state, analysis) {
  const notes = [state.type];
  const summary = analysis?.states.get(state.name);
  if (summary && summary.entries.length > 1) notes.push(`${summary.entries.length} visits`);
  const attempts = summary?.latest.attempts.length || 0;
  if (attempts > 1) notes.push(`${attempts} attempts`);
  return `${escape(state.name)}<br/>${escape(notes.join(" · "))}`;
}

function subgraphLabel(state, analysis) {
  const latest = analysis?.states.get(state.name)?.latest;
  if (state.type === "Parallel") {
    const branches = `${state.children.length} branches`;
    return escape(`${state.name} (Parallel) · ${latest?.starts > 1 ? `${latest.starts} runs · ` : ""}${branches}`);
  }
  if (!latest) return escape(`${state.name} (Map)`);
  const items = latest.mapLength === undefined ? "" : ` · ${latest.mapLength} items`;
  if (latest.mapRun) return escape(`${state.name} (Map)${items} · ${mapRunText(latest.mapRun)}`);
  const { started, succeeded, failed, aborted } = latest.iterations;
  const counts = countsText([
    [succeeded, "succeeded"],
    [failed, "failed"],
    [aborted, "aborted"],
    [started - succeeded - failed - aborted, "running"],
  ]);
  const iterations = ` · ${started} iteration${started === 1 ? "" : "s"}`;
  return escape(`${state.name} (Map)${items}${iterations}${counts ? `: ${counts}` : ""}`);
}

/**
 * A Distributed Map's run in a few words: its child executions by status when the page has read them
 * (DescribeMapRun's executionCounts in `mapRun.counts`), otherwise its status.
 */
function mapRunText(mapRun) {
  return mapRun.counts ? `Map Run · ${childrenText(mapRun.counts)}` : `Map Run ${mapRun.status.toLowerCase()}`;
}

/** "3 child executions: 2 succeeded, 1 running" from DescribeMapRun's executionCounts. */
export function childrenText(counts) {
  const children = `${counts.total} child execution${counts.total === 1 ? "" : "s"}`;
  const byStatus = countsText([
    [counts.succeeded, "succeeded"],
    [counts.failed, "failed"],
    [counts.timedOut, "timed out"],
    [counts.aborted, "aborted"],
    [counts.running, "running"],
    [counts.pending, "pending"],
  ]);
  return `${children}${byStatus ? `: ${byStatus}` : ""}`;
}

function countsText(counts) {
  return counts
    .filter(([count]) => count > 0)
    .map(([count, what]) => `${count} ${what}`)
    .join(", ");
}

function writeLinks(writer) {
  const { model, ids, analysis } = writer;
  const taken = analysis ? analysis.transitions : [];
  addLink(writer, START_ID, ids.get(model.root.startAt), "-->", null, () =>
    taken.some((t) => t.from === null && t.to === model.root.startAt),
  );
  for (const state of model.states.values()) {
    const from = ids.get(state.name);
    for (const group of sameTargetGroups(state.transitions)) {
      const arrow = group[0].kind === "catch" ? "-.->" : "-->";
      const to = group[0].to;
      addLink(writer, from, ids.get(to), arrow, edgeLabel(group), () =>
        taken.some((t) => t.from === state.name && t.to === to && group.some((g) => sameRoute(state, g, t))),
      );
    }
    if (state.ends && state.scope === model.root) {
      addLink(writer, from, END_ID, "-->", null, () => endReached(analysis, state));
    }
  }
  if (!analysis) return;
  const takenIndexes = writer.links.flatMap((link, index) => (link.taken ? [index] : []));
  const untakenIndexes = writer.links.flatMap((link, index) => (link.taken ? [] : [index]));
  if (takenIndexes.length) writer.lines.push(`  linkStyle ${takenIndexes.join(",")} ${TAKEN_LINK}`);
  if (untakenIndexes.length) writer.lines.push(`  linkStyle ${untakenIndexes.join(",")} ${UNTAKEN_LINK}`);
}

/** A state's transitions, those to one target by one kind of edge (Catch, or any other) drawn as one. */
function sameTargetGroups(transitions) {
  const groups = new Map();
  for (const transition of transitions) {
    const key = `${transition.kind === "catch" ? "catch" : "next"} ${transition.to}`;
    groups.set(key, [...(groups.get(key) || []), transition]);
  }
  return [...groups.values()];
}

function edgeLabel(group) {
  const labels = group.map((transition) => transition.label).filter(Boolean);
  if (labels.length === 0) return null;
  if (group[0].kind === "catch") {
    const errors = labels.map((text) => text.replace(/^catch /, "")).join(", ");
    return `catch ${errors.length > LABEL_LIMIT ? `${errors.slice(0, LABEL_LIMIT)}…` : errors}`;
  }
  return labels.join(", ");
}

function addLink(writer, from, to, arrow, text, wasTaken) {
  if (!from || !to) return; // a transition to a state the definition does not have
  const labelled = text ? `${arrow}|"${escape(text)}"|` : arrow;
  writer.lines.push(`  ${from} ${labelled} ${to}`);
  writer.links.push({ taken: Boolean(writer.analysis) && wasTaken() });
}

function sameRoute(state, transition, taken) {
  if (transition.kind !== "catch") return taken.kind === "next";
  if (taken.kind !== "catch") return false;
  const catcher = matchingCatcher(state.spec, taken.error);
  return catcher === -1 || catcher === transition.catcher;
}

function endReached(analysis, state) {
  const summary = analysis?.states.get(state.name);
  if (!summary) return false;
  if (state.type === "Fail") return true;
  return summary.entries.some((entry) => entry.exited && entry.lastResult !== "failure");
}

/** Label text as mermaid entity codes wherever a character could be read as syntax. */
function escape(text) {
  return String(text).replace(/[^A-Za-z0-9 _.,:()+\-/]/g, (character) => `#${character.codePointAt(0)};`);
}
