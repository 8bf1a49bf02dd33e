"""Takes the README's screenshot of the console: a finished consent deletion's page, from a local stack run
in this process on a virtual clock, in Debian's Chromium.

    .venv/bin/python -m tests.local.console.docs_screenshot [docs/console-execution.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from local.stack import LocalStack
from local.stack.sandbox import use_fake_aws_credentials
from tests.local.console.conftest import CHROMIUM_ARGS, REPOSITORY_ROOT, chromium_path
from tests.local.console.pages import click_state, open_execution
from tests.local.console.stack_scenarios import finished_deletion
from tests.local.stack.conftest import quiet_config

DEFAULT_OUTPUT = REPOSITORY_ROOT / "docs" / "console-execution.png"
VIEWPORT = {"width": 1600, "height": 1330}


def main(output: Path) -> None:
    executable = chromium_path()
    if executable is None:
        raise SystemExit("Chromium is not installed: apt-get install -y chromium")
    use_fake_aws_credentials()
    with LocalStack(quiet_config()) as stack, sync_playwright() as playwright:
        execution_arn = finished_deletion(stack, "customer-42")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        open_execution(page, stack.addresses.stepfunctions, execution_arn)
        click_state(page, "RequestDeletion")
        page.screenshot(path=str(output))
        browser.close()
    print(f"wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)
