"""What keeping the embedded AWS services' state costs: PutItem and SendMessage through boto3 over HTTP,
without a state file and with one (every change saved before the answer), as the state grows.

python -m bench aws_state
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.measurement import Measurement, format_table, to_json
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.sandbox import use_fake_aws_credentials

NAME = "aws_state"
TABLE = "Customers"
PAYLOAD = "x" * 200  # about the size of a Customers item


def _milliseconds(call: Callable[[], object], repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(
    state_file: Path | None, sizes: Sequence[int], repeats: int
) -> list[tuple[int, float, float, int]]:
    """(items held, PutItem p50 ms, SendMessage p50 ms, state file bytes) at each size."""
    services = EmbeddedAwsServices(
        host="127.0.0.1", port=0, clock=lambda: datetime.now(UTC), state_file=state_file
    )
    services.start()
    try:
        dynamodb, sqs = services.client("dynamodb"), services.client("sqs")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        queue_url = sqs.create_queue(QueueName="Inbox")["QueueUrl"]
        results, held, counter = [], 0, 0

        def put() -> None:
            nonlocal counter
            counter += 1
            dynamodb.put_item(TableName=TABLE, Item={"id": {"S": f"C-{counter}"}, "v": {"S": PAYLOAD}})

        for size in sizes:
            while held < size:  # grow the state to `size` items (and stream records), 25 per request
                batch = [
                    {"PutRequest": {"Item": {"id": {"S": f"G-{held + n}"}, "v": {"S": PAYLOAD}}}}
                    for n in range(min(25, size - held))
                ]
                dynamodb.batch_write_item(RequestItems={TABLE: batch})
                held += len(batch)
            put_ms = _milliseconds(put, repeats)
            held += repeats
            send_ms = _milliseconds(
                lambda: sqs.send_message(QueueUrl=queue_url, MessageBody=PAYLOAD), repeats
            )
            file_bytes = state_file.stat().st_size if state_file is not None else 0
            results.append((size, statistics.median(put_ms), statistics.median(send_ms), file_bytes))
        return results
    finally:
        services.close()


def run(sizes: Sequence[int], repeats: int) -> list[Measurement]:
    """Both configurations at each size."""
    use_fake_aws_credentials()
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory() as directory:
        for label, state_file in (("in memory", None), ("state file", Path(directory) / "aws.pickle")):
            for size, put_ms, send_ms, file_bytes in measure(state_file, sizes, repeats):
                measurements += [
                    Measurement(NAME, f"{label}, {size:,} items: PutItem p50", put_ms, "ms"),
                    Measurement(NAME, f"{label}, {size:,} items: SendMessage p50", send_ms, "ms"),
                ]
                if state_file is not None:
                    measurements.append(
                        Measurement(NAME, f"{label}, {size:,} items: snapshot size", file_bytes / 1024, "KiB")
                    )
    return measurements


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench aws_state", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1_000, 10_000], help="items held")
    parser.add_argument("--repeats", type=int, default=200, help="requests timed at each size")
    args = parser.parse_args(argv)
    measurements = run(args.sizes, args.repeats)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
