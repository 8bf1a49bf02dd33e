// Hash routes: #/executions?machine=ARN&status=RUNNING, #/execution/ARN, #/map-run/ARN?status=FAILED,
// #/state-machines, #/state-machine/ARN.

/** The route in `hash`: `{page, arn, params}` (arn for the detail pages, params from the query). */
export function parseRoute(hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [page = "", ...rest] = path.split("/");
  const arn = rest.length ? decodeURIComponent(rest.join("/")) : undefined;
  return { page: page || "executions", arn, params: new URLSearchParams(query) };
}

/** A link to a route, e.g. routeLink("execution", arn) or routeLink("executions", null, {status: "FAILED"}). */
export function routeLink(page, arn, params) {
  let link = `#/${page}`;
  if (arn) link += `/${encodeURIComponent(arn)}`;
  const query = new URLSearchParams(
    Object.entries(params || {}).filter(([, value]) => value !== undefined && value !== null && value !== ""),
  ).toString();
  return query ? `${link}?${query}` : link;
}
