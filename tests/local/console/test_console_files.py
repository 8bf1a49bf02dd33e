"""The console's files over HTTP: where they are, what they are, and what is refused."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from local.console import files


def _get(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url, headers=headers or {}, method=method, data=b"" if method != "GET" else None
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_the_console_page_is_served_with_a_policy_that_forbids_other_origins(sfn_url: str) -> None:
    # When the console's page is asked for
    status, headers, body = _get(f"{sfn_url}/console/")

    # Then it is the HTML page, and its policy lets it load and call this server only
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<script type="module" src="js/main.js">' in body
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_console_without_its_slash_redirects_to_it(sfn_url: str) -> None:
    status, headers, _ = _get(f"{sfn_url}/console")

    assert status == 301
    assert headers["Location"] == "/console/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/js/main.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/favicon.svg", "image/svg+xml"),
        ("/console/vendor/mermaid.min.js", "text/javascript; charset=utf-8"),
    ],
)
def test_each_kind_of_file_has_its_content_type(sfn_url: str, path: str, content_type: str) -> None:
    status, headers, body = _get(f"{sfn_url}{path}")

    assert status == 200, body[:200]
    assert headers["Content-Type"] == content_type
    assert body


def test_an_unchanged_file_is_answered_304_with_its_etag(sfn_url: str) -> None:
    # Given the ETag of a file read once
    _, headers, _ = _get(f"{sfn_url}/console/js/main.js")
    etag = headers["ETag"]
    assert headers["Cache-Control"] == "no-cache"

    # When it is asked for again with that ETag
    status, _, body = _get(f"{sfn_url}/console/js/main.js", {"If-None-Match": etag})

    # Then it is not sent again
    assert (status, body) == (304, b"")


@pytest.mark.parametrize(
    "path",
    [
        "/console/../sfn_api/server.py",
        "/console/%2e%2e/files.py",
        "/console/js/%2e%2e/%2e%2e/files.py",
        "/console/js/..%2f..%2ffiles.py",
        "/console/.hidden",
        "/console//etc/passwd",
        "/console/js%5c..%5c..%5cfiles.py",
        "/console/vendor/../../pyproject.toml",
        "/console/vendor/mermaid.js",
        "/console/no-such-file.js",
    ],
)
def test_nothing_outside_the_console_files_is_served(sfn_url: str, path: str) -> None:
    status, _, body = _get(f"{sfn_url}{path}")

    assert status == 404
    assert b"import" not in body and b"[project]" not in body


def test_a_missing_mermaid_is_answered_with_how_to_install_it(
    sfn_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a checkout whose node_modules has no mermaid
    monkeypatch.setitem(files.VENDOR_FILES, "mermaid.min.js", tmp_path / "missing.js")

    # When the page asks for it
    status, _, body = _get(f"{sfn_url}/console/vendor/mermaid.min.js")

    # Then the answer says how to install it
    assert status == 404
    assert b"make install" in body


def test_the_console_answers_get_only(sfn_url: str) -> None:
    status, headers, _ = _get(f"{sfn_url}/console/index.html", method="PUT")

    assert status == 405
    assert headers["Allow"] == "GET"


def test_the_step_functions_api_takes_the_browser_s_requests(sfn_url: str) -> None:
    # When the API is called the way the console's pages call it (fetch, same origin, AWS JSON 1.0)
    request = urllib.request.Request(
        f"{sfn_url}/",
        data=b"{}",
        method="POST",
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
            "Origin": sfn_url,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        # Then it answers as it answers boto3
        assert response.status == 200
        assert response.read() == b'{"stateMachines":[]}'
