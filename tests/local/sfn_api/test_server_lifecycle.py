"""Embedding the server: free ports, a real clock that cannot be moved by hand, clean shutdown."""

from __future__ import annotations

import socket

from local.engine import Engine, MemoryStore, RealClock
from local.sfn_api import SfnApiServer
from tests.local.sfn_api.helpers import http_json


def test_two_servers_on_port_zero_get_distinct_ports_and_release_them() -> None:
    # Given two engines with a real clock
    engines = [Engine(clock=RealClock(), store=MemoryStore()) for _ in range(2)]
    servers = [SfnApiServer(engine, port=0) for engine in engines]

    # When both start on port 0
    addresses = [server.start() for server in servers]
    for server in servers:
        server.close()

    # Then each got its own free port, and after close nothing listens there any more
    assert addresses[0][1] != addresses[1][1]
    assert all(port > 0 for _, port in addresses)
    for host, port in addresses:
        with socket.socket() as probe:
            assert probe.connect_ex((host, port)) != 0
    for engine in engines:
        engine.close()


def test_a_real_clock_cannot_be_moved_by_hand() -> None:
    # Given a server over an engine on the real clock
    engine = Engine(clock=RealClock(), store=MemoryStore())
    with SfnApiServer(engine, port=0) as server:
        # When the clock is read and then asked to move
        read = http_json(f"{server.endpoint_url}/_local/clock")
        moved = http_json(f"{server.endpoint_url}/_local/clock", {"advanceSeconds": 60})
    engine.close()

    # Then reading works, moving is refused with a reason
    assert read[0] == 200
    assert read[1]["mode"] == "real"
    assert moved[0] == 400
    assert moved[1]["error"] == "ClockNotAdjustable"
    assert "virtual" in moved[1]["message"]
