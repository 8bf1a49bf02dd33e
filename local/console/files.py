"""Answers GET requests for the console's files: the pages under `static/`, and the graph layout library
(mermaid, installed by `make install` into node_modules) under `/console/vendor/`.

    answer = console_answer("GET", "/console/js/main.js", if_none_match=None)
    answer.status, answer.headers, answer.body

Only files below `static/` and the vendor files named in `VENDOR_FILES` are ever read: a request path
is decoded, split into segments, refused when a segment is empty or starts with a dot (`..` included) or
holds a backslash, and the resolved file must still lie below `static/`. Every answer carries a
Content-Security-Policy that lets a page load and call this server only, so nothing comes from a CDN or
goes to another origin.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

CONSOLE_PATH = "/console"
STATIC_DIR = Path(__file__).resolve().parent / "static"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
VENDOR_FILES = {
    "mermaid.min.js": REPOSITORY_ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js",
}
INSTALL_HINT = "run `make install` (or `npm ci`) in the repository, then reload the page"

# mermaid writes a <style> element into each diagram it draws, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
_COMMON_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)


@dataclass(frozen=True)
class ConsoleAnswer:
    """Status, headers and body of one answer."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def is_console_path(path: str) -> bool:
    """Whether `path` (without its query) is the console's."""
    return path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")


def console_answer(method: str, path: str, *, if_none_match: str | None) -> ConsoleAnswer:
    """The answer to `method path` below `/console`; files are revalidated with their ETag each time."""
    if method != "GET":
        return _text(HTTPStatus.METHOD_NOT_ALLOWED, "The console answers GET only", [("Allow", "GET")])
    if path == CONSOLE_PATH:
        return ConsoleAnswer(HTTPStatus.MOVED_PERMANENTLY, [("Location", CONSOLE_PATH + "/")], b"")
    relative = path[len(CONSOLE_PATH) + 1 :]
    vendor = relative.startswith("vendor/")
    file = _vendor_file(relative) if vendor else _static_file(relative or "index.html")
    if file is None or not file.is_file():
        if vendor:
            return _text(HTTPStatus.NOT_FOUND, f"{relative} is not installed: {INSTALL_HINT}")
        return _text(HTTPStatus.NOT_FOUND, f"No console file {path}")
    stat = file.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    headers = [("ETag", etag), ("Cache-Control", "no-cache"), *_COMMON_HEADERS]
    if if_none_match == etag:
        return ConsoleAnswer(HTTPStatus.NOT_MODIFIED, headers, b"")
    content_type = _CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
    headers.append(("Content-Type", content_type or "application/octet-stream"))
    return ConsoleAnswer(HTTPStatus.OK, headers, file.read_bytes())


def _static_file(relative: str) -> Path | None:
    segments = unquote(relative).split("/")
    if any(_unsafe(segment) for segment in segments):
        return None
    candidate = STATIC_DIR.joinpath(*segments).resolve()
    return candidate if candidate.is_relative_to(STATIC_DIR) else None


def _unsafe(segment: str) -> bool:
    return not segment or segment.startswith(".") or "\\" in segment or "\x00" in segment


def _vendor_file(relative: str) -> Path | None:
    return VENDOR_FILES.get(relative.removeprefix("vendor/"))


def _text(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> ConsoleAnswer:
    return ConsoleAnswer(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), *_COMMON_HEADERS, *(headers or [])],
        message.encode(),
    )
