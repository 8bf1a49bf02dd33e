"""Run the fake third-party deletion API alone: ``python -m local.third_party_fake --port 8090``."""

from __future__ import annotations

import argparse
import threading

from local.third_party_fake.server import DEFAULT_API_KEY, DEFAULT_API_KEY_HEADER, FakeThirdPartyApi


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted, printing the base URL first so scripts can read it."""
    parser = argparse.ArgumentParser(prog="python -m local.third_party_fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--api-key-header", default=DEFAULT_API_KEY_HEADER)
    arguments = parser.parse_args(argv)

    fake = FakeThirdPartyApi(api_key=arguments.api_key, api_key_header=arguments.api_key_header)
    base_url = fake.start(arguments.host, arguments.port)
    print(f"fake third-party API on {base_url} (control: {base_url}/_control/)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
