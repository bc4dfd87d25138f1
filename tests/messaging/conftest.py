import socket
from collections.abc import Iterator

import pytest


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """Yield a 127.0.0.1 URL whose port is bound but not listening, so connecting fails."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
