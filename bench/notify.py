"""Notification throughput: outbox → one local webhook receiver and the NATS JetStream stream.

    uv run python bench/notify.py [--messages 5000] [--nats nats://127.0.0.1:4222] [--no-nats]

Writes --messages outbox rows (not timed) into a fresh SQLite file, registers one webhook pointing at a
local HTTP receiver (a thread answering 204), then times `dispatch_once` passes until every delivery
is delivered: fan-out, signed POSTs, JetStream publishes with acknowledgement, and the bulk status
update. The last line printed is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from clearway.clearance.notify import add_webhook, dispatch_once
from clearway.clearance.outbox import Message, write_outbox
from clearway.clearance.tables import deliveries
from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.migrations import upgrade

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--messages", type=int, default=5000)
ARGS.add_argument("--nats", default="nats://127.0.0.1:4222")
ARGS.add_argument("--no-nats", action="store_true")


class _Server(ThreadingHTTPServer):
    request_queue_size = 128


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    options = ARGS.parse_args()
    server = _Server(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'notify.db'}"
        upgrade(url)
        engine = make_engine(url)
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            add_webhook(conn, f"http://127.0.0.1:{server.server_address[1]}/hook", "bench-secret-0123456789")
            messages = [
                Message("shipment.released", "BENCH", {"shipment_id": f"s{k}", "state": "released", "n": k})
                for k in range(options.messages)
            ]
            write_outbox(conn, messages, now)
        settings = Settings(nats_url=options.nats)
        start = time.perf_counter()
        passes = 0
        while True:
            report = asyncio.run(dispatch_once(engine, settings, nats_enabled=not options.no_nats))
            passes += 1
            if report.errors:
                raise SystemExit(report.errors[0])
            with engine.connect() as conn:
                pending = conn.execute(
                    select(func.count()).select_from(deliveries).where(deliveries.c.status != "delivered")
                ).scalar_one()
            if pending == 0 and report.fanned_out == 0:
                break
        seconds = time.perf_counter() - start
        with engine.connect() as conn:
            delivered = conn.execute(select(func.count()).select_from(deliveries)).scalar_one()
        engine.dispose()
    server.shutdown()
    result = {
        "messages": options.messages,
        "deliveries": int(delivered),
        "targets": "webhook" if options.no_nats else "webhook+nats",
        "passes": passes,
        "seconds": round(seconds, 2),
        "deliveries_per_s": round(delivered / seconds, 1),
    }
    print(f"{options.messages} messages, {delivered} deliveries in {seconds:.2f} s ({passes} passes)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
