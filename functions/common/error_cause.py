"""Short, safe summaries of Step Functions error causes, for API answers and e-mails.

When a Lambda task fails, Step Functions' cause is the function's error document as JSON: `errorType`,
`errorMessage`, `requestId` and a `stackTrace` whose lines quote source files. State machines wrap it in
sentences of their own ("The ledger could not record the step: DataError: {...}"). A summary keeps the
sentences and each error's type and message, and drops stack traces, tracebacks and file paths: those
stay in the execution history and the logs.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_SUMMARY_CHARACTERS = 500
_ELLIPSIS = "…"
_TRACEBACK = "Traceback (most recent call last):"
_ERROR_DOCUMENT_KEYS = frozenset({"errorType", "errorMessage", "stackTrace"})
# An absolute path to a file with an extension, not part of a URL: /var/task/handler.py, /srv/x/y.json
_FILE_PATH = re.compile(r"(?<![\w/:.])(?:/[\w.@+-]+)+/[\w@+-]+\.\w+")
_WHITESPACE = re.compile(r"\s+")
_decoder = json.JSONDecoder()


def summarize_cause(cause: str, max_characters: int = MAX_SUMMARY_CHARACTERS) -> str:
    """`cause` on one line, at most `max_characters` long, without stack traces or file paths.

    Example:
        >>> summarize_cause('Failed: {"errorType": "KeyError", "errorMessage": "x", "stackTrace": ["..."]}')
        'Failed: KeyError: x'
    """
    text = _replace_error_documents(cause)
    text = text.split(_TRACEBACK, 1)[0]
    text = _FILE_PATH.sub("<file>", text)
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > max_characters:
        text = text[: max_characters - len(_ELLIPSIS)].rstrip() + _ELLIPSIS
    return text


def _replace_error_documents(text: str) -> str:
    parts: list[str] = []
    position = 0
    while (start := text.find("{", position)) >= 0:
        try:
            document, end = _decoder.raw_decode(text, start)
        except (json.JSONDecodeError, RecursionError):
            document, end = None, start + 1
        if isinstance(document, dict) and _ERROR_DOCUMENT_KEYS & document.keys():
            before = "".join(parts) + text[position:start]
            parts = [before, _error_summary(document, before)]
        else:
            parts.append(text[position:end])
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _error_summary(document: dict[str, Any], preceding: str) -> str:
    error_type = str(document.get("errorType") or "").strip()
    message = _WHITESPACE.sub(" ", str(document.get("errorMessage") or "")).strip()
    message = message.split(_TRACEBACK, 1)[0].strip()
    # "PermanentProcessingError on attempt 4: {...}" already names the type: do not say it twice.
    if not error_type or re.search(rf"(?<!\w){re.escape(error_type)}(?!\w)", preceding):
        return message or error_type
    return f"{error_type}: {message}" if message else error_type
