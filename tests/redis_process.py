"""A redis-server process of its own, on 127.0.0.1, that a test or benchmark can restart.

It keeps nothing on disk (`--save ""`, no append-only file), so a restart loses every
key, as a crash of an unpersisted Redis would.
"""

import shutil
import socket
import subprocess
import time
from types import TracebackType

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

START_TIMEOUT_S = 10.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that no one listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class RedisServerProcess:
    """Start, stop and restart one redis-server; use it as a context manager."""

    def __init__(self, port: int | None = None, *, executable: str = "redis-server") -> None:
        found = shutil.which(executable)
        if found is None:
            raise FileNotFoundError(f"{executable} not found on PATH; install redis-server")
        self._executable = found
        self.port = port if port is not None else free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it responds to PING."""
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                self._executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        connection = Redis(host="127.0.0.1", port=self.port)
        while True:
            try:
                connection.ping()
                break
            except RedisConnectionError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
            finally:
                connection.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM) and wait for it to exit."""
        if self._process is None:
            return
        self._process.terminate()
        self._process.wait(timeout=30)
        self._process = None

    def restart(self) -> None:
        """Stop the server and start it again on the same port, empty."""
        self.stop()
        self.start()
        self.restarts += 1

    def __enter__(self) -> "RedisServerProcess":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
