import os
import socket
import subprocess
import sys

from benchmarks.gunicorn_server import (
    ServerLayout,
    child_pids,
    free_port,
    machine_busy_s,
    process_cpu_s,
)
from benchmarks.open_loop import HOST


def test_layout_arguments() -> None:
    assert ServerLayout(3, 4).arguments() == [
        "--workers",
        "3",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
    ]


def test_free_port_is_bindable() -> None:
    port = free_port()

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, port))
        assert listener.getsockname() == (HOST, port)


def test_cpu_counters_read_proc() -> None:
    sum(range(2_000_000))

    assert process_cpu_s(os.getpid()) > 0
    assert machine_busy_s() > 0
    assert process_cpu_s(2**22 + 1) == 0.0


def test_child_pids_finds_children() -> None:
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        try:
            assert child.pid in child_pids(os.getpid())
        finally:
            child.kill()
    assert child.pid not in child_pids(os.getpid())
