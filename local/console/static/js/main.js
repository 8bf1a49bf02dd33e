// The console's entry point: the clock in the header, and the page the location's hash names.

import { mountClockBar } from "./clock_bar.js";
import { notice, replaceChildren } from "./dom.js";
import * as execution from "./pages/execution.js";
import * as executions from "./pages/executions.js";
import * as mapRun from "./pages/map_run.js";
import * as stateMachine from "./pages/state_machine.js";
import * as stateMachines from "./pages/state_machines.js";
import { parseRoute } from "./router.js";

const PAGES = {
  executions: { page: executions, nav: "executions", title: "Executions" },
  execution: { page: execution, nav: "executions", title: "Execution" },
  "map-run": { page: mapRun, nav: "executions", title: "Map Run" },
  "state-machines": { page: stateMachines, nav: "state-machines", title: "State machines" },
  "state-machine": { page: stateMachine, nav: "state-machines", title: "State machine" },
};

const main = document.getElementById("page");
let leave = () => {};

function show() {
  leave();
  const route = parseRoute(location.hash);
  const entry = PAGES[route.page];
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === entry?.nav);
  }
  if (!entry) {
    replaceChildren(main, notice("error", `No page ${location.hash}`));
    leave = () => {};
    return;
  }
  document.title = `${entry.title} · Step Functions (local)`;
  leave = entry.page.render(main, route) || (() => {});
}

mountClockBar(document.getElementById("clock-bar"));
window.addEventListener("hashchange", show);
show();
