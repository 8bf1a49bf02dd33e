// Draws a flowchart (graph.js) with mermaid, makes every state and group clickable, and marks the selected
// one. When mermaid is not installed the view says how to install it instead of drawing.

import { h, notice, replaceChildren } from "./dom.js";
import { CLASS_STYLES, classOf, flowchart } from "./graph.js";

const LEGEND = [
  ["succeeded", "Succeeded"],
  ["retried", "Retried, then succeeded"],
  ["caught", "Failed, caught"],
  ["failed", "Failed"],
  ["cancelled", "Cancelled"],
  ["running", "In progress"],
  ["notVisited", "Not visited"],
];

let initialised = false;
let renders = 0;

export function mermaidInstalled() {
  return typeof window.mermaid?.render === "function";
}

function initialise() {
  if (initialised) return;
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    flowchart: { curve: "basis", htmlLabels: true, useMaxWidth: true },
  });
  initialised = true;
}

/** A graph in `container`; `onSelect(stateName)` is called when a state or group is clicked. */
export class GraphView {
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    this.text = null;
    this.elements = new Map(); // state name -> its node or group element
  }

  /** Draw `model` coloured by `analysis` (optional); drawn again only when the picture changes. */
  async show(model, analysis, selected) {
    if (!mermaidInstalled()) {
      this.text = null;
      replaceChildren(this.container, missingMermaid());
      return;
    }
    const { text, stateOfId } = flowchart(model, analysis);
    if (text !== this.text) {
      initialise();
      renders += 1;
      const svgId = `state-graph-${renders}`;
      const { svg } = await window.mermaid.render(svgId, text);
      this.container.innerHTML = svg; // mermaid's own output, sanitised by it (securityLevel strict)
      this.text = text;
      this.decorate(svgId, stateOfId, model, analysis);
    }
    this.select(selected);
  }

  decorate(svgId, stateOfId, model, analysis) {
    this.elements.clear();
    for (const element of this.container.querySelectorAll("g.node, g.cluster")) {
      const name = stateOfId.get(mermaidId(element, svgId));
      if (name === undefined) continue;
      const drawn = classOf(model, analysis, name);
      element.classList.add("state-node");
      element.dataset.state = name;
      element.dataset.type = model.states.get(name).type;
      element.dataset.outcome = drawn === "notVisited" ? "not-visited" : drawn;
      element.setAttribute("role", "button");
      element.setAttribute("tabindex", "0");
      element.setAttribute("aria-label", `${name}: ${element.dataset.outcome}`);
      const choose = (event) => {
        event.stopPropagation();
        this.onSelect(name);
      };
      element.addEventListener("click", choose);
      element.addEventListener("keydown", (event) => event.key === "Enter" && choose(event));
      this.elements.set(name, element);
    }
  }

  select(name) {
    for (const [state, element] of this.elements) element.classList.toggle("selected", state === name);
  }
}

/** The mermaid id (`n3`) of a rendered node (`<svgId>-flowchart-n3-12`) or group (`<svgId>-n3`). */
function mermaidId(element, svgId) {
  const id = element.id.startsWith(`${svgId}-`) ? element.id.slice(svgId.length + 1) : element.id;
  const node = id.match(/^flowchart-(.+)-\d+$/);
  return node ? node[1] : id;
}

/** The colour key under a graph of an execution. */
export function legend() {
  return h(
    "ul",
    { class: "legend" },
    LEGEND.map(([name, text]) => {
      const swatch = h("span", { class: "swatch" });
      for (const rule of CLASS_STYLES[name].split(",")) {
        const [property, value] = rule.split(":");
        if (property === "fill") swatch.style.background = value;
        if (property === "stroke") swatch.style.borderColor = value;
        if (property === "stroke-dasharray") swatch.style.borderStyle = "dashed";
      }
      return h("li", {}, swatch, text);
    }),
  );
}

function missingMermaid() {
  return notice(
    "warning",
    h("strong", {}, "The graph cannot be drawn: mermaid is not installed. "),
    "Run ",
    h("code", {}, "make install"),
    " (or ",
    h("code", {}, "npm ci"),
    ") in the repository, then reload this page. Everything else on the page works without it.",
  );
}
