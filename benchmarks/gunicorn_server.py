"""Start gunicorn on `wsgi:app` at 127.0.0.1, wait until it serves, and stop it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from benchmarks.open_loop import HOST

REPOSITORY = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
PROBE_TIMEOUT_S = 15.0
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerLayout:
    """Gunicorn's process and thread counts; `gthread` workers serve one request per thread."""

    workers: int
    threads: int

    def arguments(self) -> list[str]:
        return [
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
        ]


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def process_cpu_s(pid: int) -> float:
    """Return the user and system CPU seconds of process `pid`, 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S


def machine_busy_s() -> float:
    """Return the CPU seconds all cores have spent busy since boot, from /proc/stat (Linux)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS_PER_S


def child_pids(parent: int) -> list[int]:
    """Return the processes whose parent is `parent`, read from /proc (Linux)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return children


class GunicornServer:
    """Gunicorn serving `wsgi:app` from this repository with the given `TOURNEE_*` variables.

    Its output goes to `log_path`, whose end is shown when it fails to start.
    """

    def __init__(self, layout: ServerLayout, environment: dict[str, str], log_path: Path) -> None:
        self.layout = layout
        self.environment = environment
        self.log_path = log_path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> "GunicornServer":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "wsgi:app",
            "--bind",
            f"{HOST}:{self.port}",
            *self.layout.arguments(),
            "--log-level",
            "warning",
        ]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed command, own interpreter
                command,
                cwd=REPOSITORY,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def cpu_s(self) -> float:
        """Return the CPU seconds used so far by the master and its live workers."""
        if self._process is None:
            return 0.0
        master = self._process.pid
        return process_cpu_s(master) + sum(process_cpu_s(pid) for pid in child_pids(master))

    def stop(self) -> None:
        """Stop gunicorn at once (SIGQUIT), dropping the requests still queued or running.

        They are requests the load process has given up on or no longer waits for. If
        gunicorn is still there after 30 s, its workers and then the master are killed.
        """
        process = self._process
        if process is None or process.poll() is not None:
            return
        workers = child_pids(process.pid)
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        url = f"{self.base_url}/inscription"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited while starting:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                # Refused before gunicorn listens, a timeout or an error status while the
                # workers start (urllib's errors are OSErrors too).
                time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not serve {url} within {READY_TIMEOUT_S:g} s:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
