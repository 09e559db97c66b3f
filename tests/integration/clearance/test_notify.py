"""Notifications for real: an HTTP receiver in a thread, a JetStream consumer, retries, dead letters."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Engine, func, select

from clearway.clearance import service
from clearway.clearance.lifecycle import Arrival, Payment
from clearway.clearance.notify import (
    STREAM,
    add_webhook,
    backoff_s,
    dispatch_once,
    signature,
    verify,
)
from clearway.clearance.outbox import write_outbox
from clearway.clearance.tables import deliveries, outbox
from clearway.config import Settings
from clearway.declarations.vocabulary import State
from tests.integration.intake.test_pipeline import run
from tests.sample import shipment
from tests.transitions import record

SECRET = "s3cret-s3cret-s3cret"
T0 = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


class Receiver:
    """A webhook endpoint answering 500 to the first `failures` requests, then 204."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if outer.failures > 0 else 204
                outer.failures -= 1
                outer.received.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # two dispatchers with 16 requests in flight each

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _held_shipment(engine: Engine, lrn: str) -> uuid.UUID:
    (result,) = run(engine, shipment(lrn))
    assert result.shipment_id is not None
    # Duties are due at the border: the arrival holds the shipment for payment.
    assert record(engine, result.shipment_id, Arrival(type="arrival", at=T0)) is State.HELD
    return result.shipment_id


def _hook(engine: Engine, url: str, filer: str | None = "DHLEXPRESS") -> int:
    with engine.begin() as conn:
        return add_webhook(conn, url, SECRET, filer)


def _statuses(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [
            (s, a)
            for s, a in conn.execute(
                select(deliveries.c.status, deliveries.c.attempts).order_by(deliveries.c.id)
            )
        ]


def _dispatch(engine: Engine, at: dt.datetime, **settings: Any) -> dict[str, int]:
    config = Settings(notify_backoff_s=2.0, notify_max_attempts=4, **settings)
    return asyncio.run(dispatch_once(engine, config, now=at, nats_enabled=False)).as_dict()


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_s(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_s(20, 2.0) == 3600.0


def test_signature_verifies_and_rejects_tampering() -> None:
    body = b'{"id":1}'
    header = signature(SECRET, 1_764_331_200, body)
    assert header.startswith("t=1764331200,v1=") and len(header.split("v1=")[1]) == 64
    assert verify(SECRET, header, body, now=1_764_331_200)
    assert not verify(SECRET, header, b'{"id":2}', now=1_764_331_200)
    assert not verify("another-secret-entirely", header, body, now=1_764_331_200)
    assert not verify(SECRET, header, body, now=1_764_331_200 + 301)  # replayed too late


def test_webhook_retried_with_backoff_then_delivered_signed(engine: Engine, receiver: Receiver) -> None:
    _hook(engine, receiver.url)
    sid = _held_shipment(engine, "N1")  # one message: shipment.arrival (state held)
    receiver.failures = 2
    assert _dispatch(engine, T0) == {"fanned_out": 1, "delivered": 0, "retried": 1, "dead": 0}
    assert _statuses(engine) == [("pending", 1)]
    # Next attempt 2 s later: nothing is due at +1 s.
    assert _dispatch(engine, T0 + dt.timedelta(seconds=1))["retried"] == 0
    assert len(receiver.received) == 1
    assert _dispatch(engine, T0 + dt.timedelta(seconds=2))["retried"] == 1  # second failure, then 4 s
    assert _dispatch(engine, T0 + dt.timedelta(seconds=5))["delivered"] == 0
    assert _dispatch(engine, T0 + dt.timedelta(seconds=6))["delivered"] == 1
    assert _statuses(engine) == [("delivered", 3)]
    assert [status for _, _, status in receiver.received] == [500, 500, 204]
    headers, body, _ = receiver.received[-1]
    assert verify(
        SECRET, headers["X-Clearway-Signature"], body, now=int((T0 + dt.timedelta(seconds=6)).timestamp())
    )
    document = json.loads(body)
    assert document["topic"] == "shipment.arrival"
    assert document["data"]["shipment_id"] == str(sid) and document["data"]["state"] == "held"
    assert document["data"]["wco_id"] == "172"
    # The same delivery id on every attempt, so the receiver can drop repeats.
    assert len({h["X-Clearway-Delivery"] for h, _, _ in receiver.received}) == 1


def test_dead_letter_after_max_attempts(engine: Engine, receiver: Receiver) -> None:
    _hook(engine, receiver.url)
    _held_shipment(engine, "N2")
    receiver.failures = 100
    at = T0
    for attempt in range(1, 5):
        report = _dispatch(engine, at)
        at += dt.timedelta(seconds=backoff_s(attempt, 2.0))
    assert report == {"fanned_out": 0, "delivered": 0, "retried": 0, "dead": 1}
    assert _statuses(engine) == [("dead", 4)]
    assert _dispatch(engine, at + dt.timedelta(days=1))["dead"] == 0  # dead letters are not retried
    assert len(receiver.received) == 4


def test_receiver_down_never_blocks_clearance(engine: Engine) -> None:
    _hook(engine, "http://127.0.0.1:9/unreachable")  # discard port: nothing listens
    sid = _held_shipment(engine, "N3")
    assert record(engine, sid, Payment(type="payment", amount_minor=1474, at=T0)) is State.RELEASED
    report = _dispatch(engine, T0)
    assert report["fanned_out"] == 3 and report["retried"] == 3  # arrival, payment, released
    with engine.connect() as conn:
        errors = conn.execute(select(deliveries.c.last_error)).scalars().all()
    assert all(e and "Connect" in e for e in errors)


def test_only_the_filers_own_webhook_gets_its_messages(engine: Engine, receiver: Receiver) -> None:
    other = Receiver()
    try:
        _hook(engine, receiver.url, "DHLEXPRESS")
        _hook(engine, other.url, "SOMEONEELSE")
        _held_shipment(engine, "N4")
        assert _dispatch(engine, T0)["delivered"] == 1
        assert len(receiver.received) == 1 and other.received == []
    finally:
        other.close()


def test_a_rolled_back_change_sends_nothing(
    engine: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hook(engine, receiver.url)
    sid = _held_shipment(engine, "N5")
    _dispatch(engine, T0)
    real = write_outbox

    def write_then_fail(*args: Any) -> None:
        real(*args)
        raise RuntimeError("crash after the outbox write")

    monkeypatch.setattr(service, "write_outbox", write_then_fail)
    with pytest.raises(RuntimeError):
        record(engine, sid, Payment(type="payment", amount_minor=1474, at=T0))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 1  # the arrival only
    assert _dispatch(engine, T0 + dt.timedelta(seconds=1)) == {
        "fanned_out": 0,
        "delivered": 0,
        "retried": 0,
        "dead": 0,
    }
    assert len(receiver.received) == 1


async def _consume_after(engine: Engine, sid: uuid.UUID, settings: Settings) -> list[dict[str, Any]]:
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        try:
            await js.stream_info(STREAM)
        except NotFoundError:
            await js.add_stream(name=STREAM, subjects=["clearway.>"])
        # Only what is published from now on: other runs share the server and the stream.
        sub = await js.pull_subscribe(
            "clearway.shipment.>", config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
        )
        report = await dispatch_once(engine, settings, now=T0, nats_enabled=True)
        assert report.delivered == 3 and report.errors == []
        got: list[dict[str, Any]] = []
        while len([g for g in got if g["data"]["shipment_id"] == str(sid)]) < 3:
            for msg in await sub.fetch(10, timeout=5):
                got.append({**json.loads(msg.data), "subject": msg.subject})
                await msg.ack()
        return [g for g in got if g["data"]["shipment_id"] == str(sid)]
    finally:
        await nc.close()


def test_nats_jetstream_delivery(engine: Engine) -> None:
    sid = _held_shipment(engine, "N6")
    record(engine, sid, Payment(type="payment", amount_minor=1474, at=T0))
    messages = asyncio.run(_consume_after(engine, sid, Settings()))
    assert [(m["subject"], m["data"]["state"]) for m in messages] == [
        ("clearway.shipment.arrival", "held"),
        ("clearway.shipment.payment", "held"),
        ("clearway.shipment.released", "released"),
    ]
    assert messages[2]["data"]["wco_id"] == "277"
    assert _statuses(engine) == [("delivered", 1)] * 3


def test_nats_down_is_retried_not_lost(engine: Engine) -> None:
    _held_shipment(engine, "N7")
    settings = Settings(nats_url="nats://127.0.0.1:9", notify_backoff_s=2.0)
    report = asyncio.run(dispatch_once(engine, settings, now=T0, nats_enabled=True, timeout_s=1))
    assert report.retried == 1 and report.delivered == 0
    assert _statuses(engine) == [("pending", 1)]


def test_two_dispatchers_deliver_each_message_once(
    engine: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clearway.clearance import notify
    from clearway.clearance.outbox import Message

    monkeypatch.setattr(notify, "_BATCH", 15)  # small claims, so that the two interleave
    _hook(engine, receiver.url)
    with engine.begin() as conn:
        write_outbox(conn, [Message("shipment.arrival", "DHLEXPRESS", {"n": n}) for n in range(120)], T0)

    def dispatcher() -> None:
        for _ in range(12):
            _dispatch(engine, T0)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One delivery per message (no double fan-out), each attempted once (no double claim).
    assert _statuses(engine) == [("delivered", 1)] * 120
    delivered = [h["X-Clearway-Delivery"] for h, _, _ in receiver.received]
    assert len(delivered) == len(set(delivered)) == 120
    assert sorted(json.loads(body)["data"]["n"] for _, body, _ in receiver.received) == list(range(120))
