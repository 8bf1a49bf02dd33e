// Reads an execution's history (GetExecutionHistory's events) into state entries: each time a state was
// entered, the events that belong to that visit, and how it ended. The graph colours states by it, the
// state panel shows a visit, the event table names each event's state.
//
// Events are chained by previousEventId along each thread of control (the top level, each Map iteration,
// each Parallel branch), so an event belongs to the visit its predecessor belongs to, and a new visit
// starts at each *StateEntered.

export const OUTCOMES = ["running", "succeeded", "retried", "caught", "failed", "cancelled"];

const ATTEMPT_EVENTS = new Set(["TaskScheduled", "LambdaFunctionScheduled"]);
const SUCCESS_EVENTS = new Set([
  "TaskSucceeded",
  "LambdaFunctionSucceeded",
  "MapStateSucceeded",
  "ParallelStateSucceeded",
]);
const FAILURE_EVENTS = new Set([
  "TaskFailed",
  "TaskTimedOut",
  "TaskStartFailed",
  "TaskSubmitFailed",
  "LambdaFunctionFailed",
  "LambdaFunctionTimedOut",
  "LambdaFunctionStartFailed",
  "LambdaFunctionScheduleFailed",
  "MapStateFailed",
  "ParallelStateFailed",
  "EvaluationFailed",
]);
// Events of a Map or Parallel state, which may follow the last event of one of its children in the chain.
const COMPOSITE_EVENTS = {
  MapStateSucceeded: "Map",
  MapStateFailed: "Map",
  MapStateAborted: "Map",
  MapIterationStarted: "Map",
  MapIterationSucceeded: "Map",
  MapIterationFailed: "Map",
  MapIterationAborted: "Map",
  ParallelStateSucceeded: "Parallel",
  ParallelStateFailed: "Parallel",
  ParallelStateAborted: "Parallel",
};
const ITERATION_COUNTS = {
  MapIterationStarted: "started",
  MapIterationSucceeded: "succeeded",
  MapIterationFailed: "failed",
  MapIterationAborted: "aborted",
};
// A Distributed Map's run ends with one of these in the parent (its items run as child executions).
const MAP_RUN_ENDS = { MapRunSucceeded: "SUCCEEDED", MapRunFailed: "FAILED", MapRunAborted: "ABORTED" };
// Events that start a child thread: the child's first state entered follows one of them.
const CHILD_STARTS = new Set(["MapIterationStarted", "ParallelStateStarted"]);

/** The `...EventDetails` object of an event, if it has one. */
export function detailsOf(event) {
  const key = Object.keys(event).find((name) => name.endsWith("EventDetails"));
  return key ? event[key] : undefined;
}

/**
 * Analyse `events` of an execution whose DescribeExecution status is `status`.
 * Returns {entries, entryOfEvent, states: Map(name -> summary), transitions, startedAt}.
 */
export function analyseHistory(events, status) {
  const entries = [];
  const entryOfEvent = new Map();
  const byId = new Map(events.map((event) => [event.id, event]));

  for (const event of events) {
    const previous = entryOfEvent.get(event.previousEventId);
    if (event.type.endsWith("StateEntered")) {
      const parent = CHILD_STARTS.has(byId.get(event.previousEventId)?.type) ? previous : previous?.parent;
      const entry = newEntry(event, parent);
      entries.push(entry);
      entryOfEvent.set(event.id, entry);
      continue;
    }
    if (event.type.startsWith("Execution")) {
      if (previous && event.type !== "ExecutionStarted") previous.executionEnd = event;
      continue;
    }
    const owner = ownerOf(event, previous);
    if (!owner) continue;
    entryOfEvent.set(event.id, owner);
    record(owner, event);
  }

  for (const entry of entries) entry.outcome = outcomeOf(entry, status);
  return {
    entries,
    entryOfEvent,
    states: summariseStates(entries),
    transitions: transitionsTaken(entries, byId, entryOfEvent),
    startedAt: events.length ? events[0].timestamp : undefined,
  };
}

function newEntry(event, parent) {
  const details = detailsOf(event) || {};
  return {
    state: details.name,
    type: event.type.slice(0, -"StateEntered".length),
    parent,
    entered: event,
    exited: null,
    attempts: [], // TaskScheduled / LambdaFunctionScheduled events, one per attempt
    failures: [],
    lastResult: null, // "success" | "failure"
    starts: 0, // MapStateStarted / ParallelStateStarted: more than one means the state was retried
    mapLength: undefined,
    iterations: { started: 0, succeeded: 0, failed: 0, aborted: 0 },
    mapRun: null, // a Distributed Map's run: {arn, status} as the parent's history tells it
    executionEnd: null,
  };
}

/**
 * The visit an event belongs to. Most follow an event of their own visit; a Map or Parallel state's own
 * events (and its StateExited) can follow the last event of one of its children: those belong to the
 * nearest open visit, from there up, of that Map or Parallel state.
 */
function ownerOf(event, previous) {
  if (event.type.endsWith("StateExited")) {
    const name = detailsOf(event)?.name;
    return nearestOpen(previous, (entry) => entry.state === name);
  }
  const compositeType = COMPOSITE_EVENTS[event.type];
  return compositeType ? nearestOpen(previous, (entry) => entry.type === compositeType) : previous;
}

function nearestOpen(entry, matches) {
  let owner = entry;
  while (owner && !(matches(owner) && !owner.exited)) owner = owner.parent;
  return owner || entry;
}

function record(entry, event) {
  const type = event.type;
  if (type.endsWith("StateExited")) entry.exited = event;
  else if (ATTEMPT_EVENTS.has(type)) entry.attempts.push(event);
  else if (SUCCESS_EVENTS.has(type)) entry.lastResult = "success";
  else if (FAILURE_EVENTS.has(type)) {
    entry.failures.push(event);
    entry.lastResult = "failure";
  } else if (type === "MapStateStarted" || type === "ParallelStateStarted") {
    entry.starts += 1;
    if (type === "MapStateStarted") entry.mapLength = detailsOf(event)?.length;
  } else if (ITERATION_COUNTS[type]) entry.iterations[ITERATION_COUNTS[type]] += 1;
  else if (type === "MapRunStarted") entry.mapRun = { arn: detailsOf(event).mapRunArn, status: "RUNNING" };
  else if (MAP_RUN_ENDS[type] && entry.mapRun) entry.mapRun.status = MAP_RUN_ENDS[type];
}

/** Whether a Map or Parallel state around the entry has finished or failed since the entry began. */
function cutShort(entry) {
  for (let parent = entry.parent; parent; parent = parent.parent) {
    if (parent.exited || parent.failures.some((failure) => failure.id > entry.entered.id)) return true;
  }
  return false;
}

function outcomeOf(entry, status) {
  if (entry.exited) {
    if (entry.lastResult === "failure") return "caught";
    const retried = entry.failures.length > 0 || entry.attempts.length > 1 || entry.starts > 1;
    return retried ? "retried" : "succeeded";
  }
  if (entry.type === "Fail") return "failed";
  const live = status === "RUNNING" && !cutShort(entry);
  if (live) return "running";
  return entry.lastResult === "failure" ? "failed" : "cancelled";
}

function summariseStates(entries) {
  const states = new Map();
  for (const entry of entries) {
    const summary = states.get(entry.state) || { name: entry.state, entries: [] };
    summary.entries.push(entry);
    summary.latest = entry;
    states.set(entry.state, summary);
  }
  return states;
}

/**
 * The transitions the execution took: `{from, to, kind}` with from/to state names, kind "next" (Next,
 * a Choice rule or Default) or "catch"; `from` is null for the first state of the execution.
 */
function transitionsTaken(entries, byId, entryOfEvent) {
  const taken = [];
  for (const entry of entries) {
    const previousEvent = byId.get(entry.entered.previousEventId);
    const before = entryOfEvent.get(entry.entered.previousEventId);
    if (!previousEvent || previousEvent.type === "ExecutionStarted" || previousEvent.type === "ExecutionRedriven") {
      taken.push({ from: null, to: entry.state, kind: "start" });
    } else if (before && before !== entry.parent) {
      const kind = before.lastResult === "failure" ? "catch" : "next";
      const error = kind === "catch" ? detailsOf(before.failures.at(-1))?.error : undefined;
      taken.push({ from: before.state, to: entry.state, kind, error });
    }
  }
  return taken;
}

/** The error and cause a visit ended with (its last failure, or the execution's end it caused). */
export function errorOf(entry) {
  const failure = entry.lastResult === "failure" ? detailsOf(entry.failures.at(-1)) : undefined;
  if (failure && (failure.error || failure.cause)) return { error: failure.error, cause: failure.cause };
  const end = entry.executionEnd && detailsOf(entry.executionEnd);
  if (end && (end.error || end.cause)) return { error: end.error, cause: end.cause };
  return null;
}

/** The resource a visit called: "lambda:invoke" style for service integrations, an ARN for Lambda. */
export function resourceOf(event) {
  const details = detailsOf(event) || {};
  if (details.resourceType) return `${details.resourceType}:${details.resource}`;
  return details.resource;
}
