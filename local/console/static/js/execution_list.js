// Pages of executions, newest first, across one or several state machines (or of one Map Run's children).
// ListExecutions lists one
// machine at a time, newest first, so several machines are merged like sorted lists: each keeps its own
// position (the nextToken of the API page it is in, and an offset in that page). A page of the console is
// described by the positions it starts at, so it can be loaded again (live updates) or gone back to.
// The name prefix filter is applied here: the API has none.

import { sfn } from "./api.js";

const API_PAGE_SIZE = 100;

/**
 * Where each listing stands: [{arn, by, token, offset, done}], `by` the ListExecutions parameter the ARN
 * goes in: a state machine's executions, or (`mapRunArn`) a Map Run's child executions.
 */
export function firstPositions(arns, by = "stateMachineArn") {
  return arns.map((arn) => ({ arn, by, token: null, offset: 0, done: false }));
}

/**
 * Up to `size` executions from `positions` on: `{items, next}`, with `next` the positions of the
 * following page, or null when there is none.
 */
export async function loadPage(positions, { size, status, namePrefix }) {
  const pages = new Map(); // API pages fetched for this load, by machine and token
  const cursors = positions.map((position) => ({ ...position }));

  async function head(cursor) {
    while (!cursor.done) {
      const page = await apiPage(pages, cursor, status);
      const item = page.executions[cursor.offset];
      if (item === undefined) {
        if (page.nextToken) Object.assign(cursor, { token: page.nextToken, offset: 0 });
        else cursor.done = true;
      } else if (namePrefix && !item.name.startsWith(namePrefix)) {
        cursor.offset += 1;
      } else {
        return item;
      }
    }
    return null;
  }

  const items = [];
  while (items.length < size) {
    const heads = await Promise.all(cursors.map(head));
    const newest = newestIndex(heads);
    if (newest === -1) break;
    items.push(heads[newest]);
    cursors[newest].offset += 1;
  }
  const more = (await Promise.all(cursors.map(head))).some((item) => item !== null);
  return { items, next: more ? cursors : null };
}

async function apiPage(pages, cursor, status) {
  const key = `${cursor.arn} ${cursor.token}`;
  if (!pages.has(key)) {
    const parameters = { [cursor.by]: cursor.arn, maxResults: API_PAGE_SIZE };
    if (status) parameters.statusFilter = status;
    if (cursor.token) parameters.nextToken = cursor.token;
    pages.set(key, sfn("ListExecutions", parameters));
  }
  return pages.get(key);
}

function newestIndex(heads) {
  let best = -1;
  heads.forEach((item, index) => {
    if (item && (best === -1 || item.startDate > heads[best].startDate)) best = index;
  });
  return best;
}
