"""What the command line needs around a flow: a temporary Prefect API that dies with it, and signals
that end a run cleanly.

Without ``PREFECT_API_URL``, Prefect starts a temporary API server (uvicorn, about 200 MB) as a child
process and stops it at exit; a ``kill -9`` of the command skips that, and the server was left running
with parent PID 1, night after night. The server started here is the same one, asked for the same way,
with one difference: the kernel kills it when the command's process dies, however it dies
(``PR_SET_PDEATHSIG`` on Linux).

SIGTERM (what ``systemd``, Kubernetes and Prefect workers send to stop a process) is turned into the
same ``KeyboardInterrupt`` as Ctrl-C, so the flow's clean-up runs: the run row is closed as
``interrupted`` with the counts of what it stored, and the temporary server is stopped.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import prefect
from prefect.exceptions import TerminationSignal
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, get_current_settings

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the forked child, before exec: ask the kernel for SIGKILL when the parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class _TiedServer(SubprocessASGIServer):
    """Prefect's temporary API server, started as Prefect starts it, but tied to this process's life."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        parent = os.getpid()
        command = [
            sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            **get_current_settings().to_environment_variables(exclude_unset=True),
        }
        return subprocess.Popen(command, env=env, preexec_fn=lambda: _die_with_parent(parent))


def start_local_api() -> None:
    """Start the temporary API tied to this process, unless ``PREFECT_API_URL`` names a server to use.

    Prefect keeps one temporary server per process (``SubprocessASGIServer()`` returns the same
    instance), so the flow engine finds and uses this one instead of starting its own. It is stopped
    at exit as Prefect stops its own (after Prefect's log and event workers have flushed to it), or
    by the kernel when this process is killed.
    """
    if not PREFECT_API_URL.value():
        _TiedServer().start()


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as the ``KeyboardInterrupt`` that Ctrl-C would raise, with its signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signal.Signals(signum).name}")
        self.signal = signum


def signal_of(err: BaseException) -> int | None:
    """The signal that stopped a run, if a signal did: ours, Prefect's (it installs its own SIGTERM
    handler while a flow runs), or Ctrl-C."""
    if isinstance(err, Terminated | TerminationSignal):
        return int(err.signal)
    return int(signal.SIGINT) if isinstance(err, KeyboardInterrupt) else None


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Raise :class:`Terminated` in the main thread on SIGTERM while the block runs (outside a flow
    run; within one, Prefect's handler raises its ``TerminationSignal``)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
