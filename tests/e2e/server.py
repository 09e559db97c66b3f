"""A real Clearway server (uvicorn, own process) on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db_url: str, auth: str = "off", **env: str) -> Iterator[str]:
    """`auth="off"` for tests of other features (every caller an administrator); tests of access control
    pass "required"."""
    port = free_port()
    # A file, not a pipe: nobody reads the server's log while it runs, and a full pipe would block it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after the process
    process = subprocess.Popen(
        [sys.executable, "-m", "clearway.cli", "serve", "--db", db_url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        # No random control sample: lanes in these tests follow from the data alone.
        env={**os.environ, "CLEARWAY_CONTROL_RATE": "0", "CLEARWAY_AUTH": auth, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # imports and migrations are slow on a loaded machine
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
