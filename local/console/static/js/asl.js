// Reads an Amazon States Language definition into what the graph needs: every state (nested ones in Map
// and Parallel included), the scope it lives in, and its transitions.

/**
 * @typedef {{to: string, kind: "next"|"choice"|"default"|"catch", label?: string, catcher?: number}} Transition
 * @typedef {{name: string, type: string, spec: object, scope: Scope, children: Scope[], transitions: Transition[], ends: boolean}} StateInfo
 * @typedef {{key: string, label: string, startAt: string, names: string[], owner: StateInfo|null}} Scope
 */

/** `{root, states}`: the top-level scope and every state by name (state names are unique in a machine). */
export function readDefinition(definitionText) {
  const definition = JSON.parse(definitionText);
  const states = new Map();
  const root = readScope(definition, "root", "", null, states);
  return { root, states, definition };
}

function readScope(machine, key, label, owner, states) {
  const scope = { key, label, startAt: machine.StartAt, names: Object.keys(machine.States || {}), owner };
  for (const [name, spec] of Object.entries(machine.States || {})) {
    const state = {
      name,
      type: spec.Type,
      spec,
      scope,
      children: [],
      transitions: transitionsOf(spec),
      ends: Boolean(spec.End) || spec.Type === "Succeed" || spec.Type === "Fail",
    };
    states.set(name, state);
    if (spec.Type === "Parallel") {
      (spec.Branches || []).forEach((branch, index) => {
        state.children.push(readScope(branch, `${name}/branch${index}`, `Branch ${index + 1}`, state, states));
      });
    } else if (spec.Type === "Map") {
      const processor = spec.ItemProcessor || spec.Iterator;
      if (processor) state.children.push(readScope(processor, `${name}/items`, "Iteration", state, states));
    }
  }
  return scope;
}

function transitionsOf(spec) {
  const transitions = [];
  if (spec.Next) transitions.push({ to: spec.Next, kind: "next" });
  (spec.Choices || []).forEach((rule, index) => {
    transitions.push({ to: rule.Next, kind: "choice", label: `rule ${index + 1}` });
  });
  if (spec.Default) transitions.push({ to: spec.Default, kind: "default", label: "default" });
  (spec.Catch || []).forEach((catcher, index) => {
    const label = `catch ${(catcher.ErrorEquals || []).join(", ")}`;
    transitions.push({ to: catcher.Next, kind: "catch", label, catcher: index });
  });
  return transitions;
}

/** The index of the catcher of `spec` that catches `error` (as Step Functions matches them), or -1. */
export function matchingCatcher(spec, error) {
  return (spec.Catch || []).findIndex((catcher) =>
    (catcher.ErrorEquals || []).some(
      (name) =>
        name === error ||
        name === "States.ALL" ||
        (name === "States.TaskFailed" && error !== "States.Timeout"),
    ),
  );
}
