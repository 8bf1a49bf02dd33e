"""Error causes made safe to show: no stack trace, no file paths, short."""

from __future__ import annotations

import json

from functions.common.error_cause import MAX_SUMMARY_CHARACTERS, summarize_cause

LAMBDA_ERROR = json.dumps(
    {
        "errorMessage": "simulated permanent failure on attempt 4",
        "errorType": "PermanentProcessingError",
        "requestId": "5b8e5a2c-0000-4000-8000-000000000001",
        "stackTrace": [
            '  File "/var/task/functions/scheduled_requests/processor/handler.py", line 41, in handler\n'
            "    result = idempotent_processor().run(request, context)\n",
            '  File "/var/task/functions/scheduled_requests/processor/logic.py", line 33, in process\n'
            '    raise PermanentProcessingError(f"simulated permanent failure on attempt {attempt}")\n',
        ]
        * 8,
    }
)


def test_a_lambda_error_becomes_its_type_and_message() -> None:
    # Given the Fail state's cause: the error name, then the Lambda error document with its stack trace
    cause = f"PermanentProcessingError on attempt 4: {LAMBDA_ERROR}"
    assert len(cause) > 2000

    # When it is summarised
    summary = summarize_cause(cause)

    # Then it keeps the error and the message, and nothing of the stack trace, request id or files
    assert summary == "PermanentProcessingError on attempt 4: simulated permanent failure on attempt 4"


def test_a_lambda_error_after_other_text_keeps_its_type() -> None:
    # Given a cause that wraps a Lambda error in a sentence that does not name its type
    cause = f"The ledger could not record the step: {LAMBDA_ERROR} (and then some)"

    # Then the type and the message replace the document
    assert summarize_cause(cause) == (
        "The ledger could not record the step: PermanentProcessingError: "
        "simulated permanent failure on attempt 4 (and then some)"
    )


def test_a_python_traceback_in_plain_text_is_cut() -> None:
    # Given a cause that carries a traceback as text
    cause = (
        'boom\nTraceback (most recent call last):\n  File "/srv/app.py", line 1, in <module>\nValueError: x'
    )

    # Then only the text before it remains
    assert summarize_cause(cause) == "boom"


def test_file_paths_are_redacted_but_urls_are_kept() -> None:
    # Given a message naming a source file and a vendor URL
    cause = "OSError: cannot open '/var/task/functions/config.py' for https://vendor.example.com/v1/customers"

    # Then the file path goes and the URL stays
    summary = summarize_cause(cause)
    assert "/var/task" not in summary
    assert "config.py" not in summary
    assert "https://vendor.example.com/v1/customers" in summary


def test_a_long_cause_is_trimmed_on_one_line() -> None:
    # Given a long message with line breaks
    summary = summarize_cause("line one\nline two " + "x" * 5000)

    # Then it fits the limit, on one line, and says it was shortened
    assert len(summary) == MAX_SUMMARY_CHARACTERS
    assert summary.startswith("line one line two x")
    assert summary.endswith("…")
    assert "\n" not in summary


def test_json_that_is_not_an_error_document_is_left_alone() -> None:
    # Given a cause quoting some other JSON / Then it is kept as is
    assert summarize_cause('vendor answered {"status": "FAILED"}') == 'vendor answered {"status": "FAILED"}'
