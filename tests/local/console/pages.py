"""What the browser tests read off the console's pages, in one place."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import quote


def execution_url(base_url: str, execution_arn: str) -> str:
    return f"{base_url}/console/#/execution/{quote(execution_arn, safe='')}"


def open_execution(page: Any, base_url: str, execution_arn: str) -> None:
    """Open an execution's page and wait until its graph is drawn."""
    page.goto(execution_url(base_url, execution_arn))
    page.wait_for_selector("#graph .state-node")


def outcomes(page: Any) -> dict[str, str]:
    """Each state of the graph and the outcome it is drawn with (`not-visited` for a state never entered)."""
    return page.eval_on_selector_all(
        "#graph .state-node",
        "nodes => Object.fromEntries(nodes.map(n => [n.dataset.state, n.dataset.outcome]))",
    )


def click_state(page: Any, name: str) -> None:
    """Click a state in the graph (a Map or Parallel group by its label, the middle of a group being one
    of its states) and wait for the panel to show it."""
    node = f'#graph .state-node[data-state="{name}"]'
    group_label = f"{node} > .cluster-label"
    page.click(group_label if page.locator(group_label).count() else node)
    page.wait_for_selector(f'#state-panel[data-state="{name}"]')


def panel_json(page: Any, field: str) -> Any:
    """The JSON the state panel shows in its `field` section (input, output, parameters, variables)."""
    return json.loads(page.inner_text(f'#state-panel [data-field="{field}"] pre'))


def expect_rows(page: Any, count: int) -> None:
    """Wait until the executions table has `count` rows."""
    from playwright.sync_api import expect  # here: without Playwright the browser tests skip

    expect(page.locator("tr.execution-row")).to_have_count(count)


def sfn_call(base_url: str, action: str, **parameters: Any) -> dict[str, Any]:
    """A Step Functions API call as boto3 sends it (the answers keep the API's epoch-second dates)."""
    request = urllib.request.Request(
        f"{base_url}/",
        data=json.dumps(parameters).encode(),
        method="POST",
        headers={"X-Amz-Target": f"AWSStepFunctions.{action}", "Content-Type": "application/x-amz-json-1.0"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
