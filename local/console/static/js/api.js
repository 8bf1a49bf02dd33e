// The two things the console talks to, both on the server that serves it: the Step Functions API
// (AWS JSON 1.0, exactly what boto3 sends) and the clock control endpoint.

const TARGET_PREFIX = "AWSStepFunctions.";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const CLOCK_PATH = "/_local/clock";
const HISTORY_PAGE_SIZE = 1000;

/** An error answer: `code` is the API's error name (`__type`, or `error` for the clock). */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

/** Call one Step Functions API action, e.g. `sfn("DescribeExecution", {executionArn})`. */
export async function sfn(action, parameters = {}) {
  const response = await fetch("/", {
    method: "POST",
    headers: { "X-Amz-Target": TARGET_PREFIX + action, "Content-Type": CONTENT_TYPE },
    body: JSON.stringify(parameters),
  });
  const document = await readJson(response);
  if (!response.ok) {
    throw new ApiError(document.__type || `HTTP ${response.status}`, document.message, response.status);
  }
  return document;
}

/** Every item of a paged list action, following nextToken to the end. */
export async function allPages(action, parameters, key) {
  const items = [];
  let nextToken;
  do {
    const page = await sfn(action, nextToken ? { ...parameters, nextToken } : parameters);
    items.push(...(page[key] || []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

export function listStateMachines() {
  return allPages("ListStateMachines", {}, "stateMachines");
}

export function executionHistory(executionArn) {
  return allPages("GetExecutionHistory", { executionArn, maxResults: HISTORY_PAGE_SIZE }, "events");
}

/** GET /_local/clock: `{now, mode}`. */
export function readClock() {
  return clockCall("GET");
}

/** POST /_local/clock with `{advanceSeconds}`, `{to}` or `{toNextTimer: true}`; answers like readClock. */
export function moveClock(move) {
  return clockCall("POST", move);
}

async function clockCall(method, body) {
  const response = await fetch(CLOCK_PATH, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const document = await readJson(response);
  if (!response.ok) {
    throw new ApiError(document.error || `HTTP ${response.status}`, document.message, response.status);
  }
  return document;
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
