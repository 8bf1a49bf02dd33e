"""A template for workers: it imports the shared libraries once, then forks a worker for each request.

Started by `worker_process.py` as `python worker_template.py MODULE...`, with one end of a Unix socket pair
(SOCK_SEQPACKET, so each message arrives whole) as its stdin. Messages, each one JSON document:

    server -> template:   {"codeDir", "handler", "environment"}, with two file descriptors attached:
                          the pipe the worker reads its invocations from, the pipe it writes its answers to
    template -> server:   {"started": PID} for each request, in order
                          {"exited": PID, "status": CODE} once a worker has ended (CODE < 0: the signal)

The forked worker starts a session of its own, takes the function's whole environment and directory, and
runs `worker.main` as a fresh `python worker.py` would: only the preloaded libraries are shared, the
function imports its handler itself. The template ends when the server closes the socket (or dies); each
worker ends when its invocation pipe closes.

Like `worker.py`, this is a script that imports only the standard library besides what it preloads.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import socket
import sys
import traceback
from typing import Any

import worker  # the sibling script, on sys.path as this script's directory

_MESSAGE_LIMIT = 1 << 20
_REAP_INTERVAL_SECONDS = 0.2


def main(preload: list[str]) -> int:
    """Import `preload`, then fork workers until the server goes."""
    control = socket.socket(fileno=os.dup(0))
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.dup2(2, 1)  # anything printed goes to the server's stderr, as a worker's prints do
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a worker that needs it will import it (and fail) itself
            print(f"worker template: {name} was not preloaded: {exc}", file=sys.stderr)
    workers: set[int] = set()
    while True:
        readable, _, _ = select.select([control], [], [], _REAP_INTERVAL_SECONDS)
        _report_exits(control, workers)
        if not readable:
            continue
        message, descriptors, _, _ = socket.recv_fds(control, _MESSAGE_LIMIT, 2)
        if not message:
            return 0
        pid = os.fork()
        if pid == 0:
            control.close()
            os._exit(_become_worker(json.loads(message), descriptors))
        for descriptor in descriptors:
            os.close(descriptor)
        workers.add(pid)
        _send(control, {"started": pid})


def _become_worker(request: dict[str, Any], descriptors: list[int]) -> int:
    """In the forked child: take the function's session, environment, directory and pipes, then serve."""
    try:
        os.setsid()
        os.environ.clear()
        os.environ.update(request["environment"])
        os.chdir(request["codeDir"])
        invocations, answers = descriptors
        os.dup2(invocations, 0)
        os.dup2(answers, 1)
        os.close(invocations)
        os.close(answers)
        return worker.main(request["codeDir"], request["handler"])
    except SystemExit as exit_request:
        return exit_request.code if isinstance(exit_request.code, int) else 1
    except BaseException:  # the worker could not start: say why on stderr, as a crashed runtime would
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _report_exits(control: socket.socket, workers: set[int]) -> None:
    for pid in list(workers):
        ended, status = os.waitpid(pid, os.WNOHANG)
        if ended:
            workers.discard(pid)
            _send(control, {"exited": pid, "status": os.waitstatus_to_exitcode(status)})


def _send(control: socket.socket, document: dict[str, Any]) -> None:
    control.send(json.dumps(document).encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
