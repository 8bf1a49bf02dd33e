"""Checks a serving command makes before it starts anything: its ports are free, its state directory usable.

A taken port found here is one line naming the option, in a fraction of a second; found by the server that
binds it, it is an `OSError` without the port, after seconds of start-up.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
from collections.abc import Mapping
from pathlib import Path

from local.cli import CommandError

HIGHEST_PORT = 65535


def port_number(text: str) -> int:
    """An argparse `type` for a TCP port: 0 to 65535, where 0 picks any free port."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port (0 to {HIGHEST_PORT}; 0 picks any free one)"
        )
    return port


def positive_whole_number(text: str) -> int:
    """An argparse `type` for a count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def check_ports_free(host: str, ports: Mapping[str, int]) -> None:
    """Raise `CommandError` for the first option (e.g. `"--sfn-port"`) whose port cannot be listened on.

    A port of 0 always passes. The servers bind later, so another program may still take a port in between;
    `listen_error` words that failure the same way.
    """
    options_by_port: dict[int, str] = {}
    for option, port in ports.items():
        if port == 0:
            continue
        if port in options_by_port:
            raise CommandError(
                f"{option} {port}: the same port as {options_by_port[port]} (give each its own, or 0)"
            )
        options_by_port[port] = option
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers do: a port left in TIME_WAIT by a stack that just stopped is free to them.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                raise listen_error(option, host, port, error) from error


def listen_error(option: str, host: str, port: int, error: OSError) -> CommandError:
    """The one-line report of a failed bind of `host:port`, which `option` asked for."""
    reason = error.strerror or str(error)
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return CommandError(f"--host {host}: not an address of this machine ({reason})")
    if error.errno == errno.EADDRINUSE:
        return CommandError(
            f"{option} {port}: the port is already in use on {host} "
            f"(stop what listens there, or choose another port; 0 picks any free one)"
        )
    if error.errno == errno.EACCES:
        return CommandError(f"{option} {port}: not allowed to listen on {host}:{port} ({reason})")
    return CommandError(f"{option} {port}: cannot listen on {host}:{port} ({reason})")


def check_state_dir(path: Path, option: str = "--state-dir") -> None:
    """Create the directory `path` if needed; raise `CommandError` unless this user can read and write it."""
    if path.exists() and not path.is_dir():
        raise CommandError(f"{option} {path}: is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"{option} {path}: cannot create the directory ({_why_not(path, error)})"
        ) from error
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise CommandError(f"{option} {path}: this user cannot read and write in the directory")


def _why_not(path: Path, error: OSError) -> str:
    # "Not a directory" alone does not say which part of the path is in the way.
    in_the_way = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
    if in_the_way is not None:
        return f"{in_the_way} is a file"
    return error.strerror or str(error)
