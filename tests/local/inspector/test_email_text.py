"""The lines of an HTML e-mail as `outbox` and the demo print them."""

from __future__ import annotations

from local.inspector.email_text import email_text_lines


def test_blocks_become_lines_and_table_rows_become_heading_and_value() -> None:
    # Given the shape of the alert mailer's e-mails
    body = (
        "<!DOCTYPE html>\n<html><head><style>p {color: red}</style></head><body>\n"
        "<h2>Deletion timed out</h2>\n"
        "<p>The customer&#x27;s data may\n still be held.</p>\n<table>\n"
        '<tr><th align="left">Customer id</th><td>C-1002</td></tr>\n'
        "<tr><th>Cause</th><td>not <b>completed</b></td></tr>\n</table>\n"
        '<p><a href="https://example.com">Open the execution</a></p>\n</body></html>\n'
    )
    # When / Then
    assert email_text_lines(body) == [
        "Deletion timed out",
        "The customer's data may still be held.",
        "Customer id: C-1002",
        "Cause: not completed",
        "Open the execution",
    ]


def test_plain_text_keeps_its_lines() -> None:
    # Given / When / Then
    assert email_text_lines("Hello,\n\n  the deletion failed.\n") == ["Hello,", "the deletion failed."]
