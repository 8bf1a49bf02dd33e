// A small element builder, so pages build their DOM without HTML strings (and so without injection).

/**
 * h("a", {href: "#/x", class: "link"}, "text", child) -> <a href="#/x" class="link">text…</a>
 * Attributes named on* take a listener; `dataset` takes an object; null/false attributes are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "class") {
      element.className = value;
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `element` with `children`. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A <pre> with `text` (JSON text is shown indented; anything else as it is). */
export function jsonBlock(text, attributes = {}) {
  return h("pre", { class: "json", ...attributes }, prettyJson(text));
}

/** JSON text indented by two spaces; text that is not JSON is returned unchanged. */
export function prettyJson(text) {
  if (text === undefined || text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}

/** A status badge, e.g. RUNNING, coloured by the status. */
export function statusBadge(status, attributes = {}) {
  return h("span", { class: `badge status-${String(status).toLowerCase()}`, ...attributes }, status);
}

/** A message box: kind is "error", "info" or "warning". */
export function notice(kind, ...children) {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}
