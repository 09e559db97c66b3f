"""The notification dispatcher: outbox → webhooks (HMAC-signed) and a NATS JetStream stream.

Each pass fans new outbox messages out into deliveries (one per matching webhook, one for the stream),
then attempts the deliveries that are due. A failed attempt is retried after a delay that doubles
from `notify_backoff_s`; after `notify_max_attempts` the delivery is dead-lettered (status `dead`,
with its last error) and stays in the table for inspection and `clearway notify retry`. Delivery is
at least once: receivers deduplicate by `X-Clearway-Delivery` (webhooks) or `Nats-Msg-Id` (stream).
Several dispatchers may run against one database: each claims the messages it fans out and the
deliveries it attempts (`SKIP LOCKED` on PostgreSQL; SQLite's single writer elsewhere).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats
from nats.js.errors import NotFoundError
from sqlalchemy import Connection, Engine, Select, bindparam, func, or_, select, update

from clearway.clearance.tables import deliveries, outbox, webhooks
from clearway.config import Settings
from clearway.kit.bulk import insert_dicts

STREAM = "CLEARWAY"
SUBJECT_PREFIX = "clearway"
MAX_DELAY_S = 3600.0
_BATCH = 500
CONCURRENCY = 16  # webhook requests in flight at once


def backoff_s(attempts: int, base_s: float, cap_s: float = MAX_DELAY_S) -> float:
    """Delay before the next attempt after `attempts` failed ones: base, 2·base, 4·base, … capped."""
    return float(min(cap_s, base_s * 2 ** (attempts - 1)))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`X-Clearway-Signature`: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed by the secret>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does with the header (also used by the tests)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    return abs(now - t) <= tolerance_s and hmac.compare_digest(signature(secret, t, body), header)


def envelope(outbox_id: int, topic: str, created_at: dt.datetime, payload: dict[str, Any]) -> bytes:
    created = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
    document = {"id": outbox_id, "topic": topic, "created_at": created.isoformat(), "data": payload}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def message_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass
class Report:
    fanned_out: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "fanned_out": self.fanned_out,
            "delivered": self.delivered,
            "retried": self.retried,
            "dead": self.dead,
        }


def _claimable(query: Select[Any], conn: Connection) -> Select[Any]:
    # Several dispatchers may run at once: on PostgreSQL each skips the rows another is claiming; on
    # SQLite the claiming UPDATE holds the database's write lock, which serialises the claims.
    return query.with_for_update(skip_locked=True) if conn.dialect.name == "postgresql" else query


def fan_out(conn: Connection, now: dt.datetime, nats_enabled: bool = True) -> int:
    """Deliveries for new outbox messages: one per active webhook of the filer (or of all filers).

    The messages are claimed (marked fanned out) by one conditional UPDATE, so that two dispatchers
    never fan out the same message twice."""
    pending = select(outbox.c.id).where(outbox.c.fanned_out.is_(False)).order_by(outbox.c.id).limit(_BATCH)
    messages = sorted(
        conn.execute(
            update(outbox)
            .where(
                outbox.c.id.in_(_claimable(pending, conn).scalar_subquery()), outbox.c.fanned_out.is_(False)
            )
            .values(fanned_out=True)
            .returning(outbox.c.id, outbox.c.filer)
        ).all()
    )
    if not messages:
        return 0
    hooks = conn.execute(select(webhooks.c.id, webhooks.c.filer).where(webhooks.c.active.is_(True))).all()
    rows: list[dict[str, Any]] = []
    for m in messages:
        targets: list[int | None] = [h.id for h in hooks if h.filer is None or h.filer == m.filer]
        if nats_enabled:
            targets.append(None)
        rows.extend(
            {
                "outbox_id": m.id,
                "webhook_id": t,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": None,
                "delivered_at": None,
            }
            for t in targets
        )
    insert_dicts(conn, deliveries, rows)
    return len(messages)


@dataclass(frozen=True, slots=True)
class _Due:
    id: int
    attempts: int
    outbox_id: int
    topic: str
    body: bytes
    url: str | None  # None: the NATS stream
    secret: str | None


def _claim_due(conn: Connection, now: dt.datetime, lease: dt.timedelta) -> list[_Due]:
    """Claim the deliveries due now: their next attempt moves to the end of a lease, in one conditional
    UPDATE, so that another dispatcher does not attempt them meanwhile. A dispatcher that dies holding a
    claim loses it when the lease ends and the delivery is attempted again (at least once: receivers
    deduplicate on the message id)."""
    due = (
        select(deliveries.c.id)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        .order_by(deliveries.c.id)
        .limit(_BATCH)
    )
    claimed = (
        conn.execute(
            update(deliveries)
            .where(
                deliveries.c.id.in_(_claimable(due, conn).scalar_subquery()),
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease)
            .returning(deliveries.c.id)
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = conn.execute(
        select(
            deliveries.c.id,
            deliveries.c.attempts,
            outbox.c.id.label("outbox_id"),
            outbox.c.topic,
            outbox.c.created_at,
            outbox.c.payload,
            webhooks.c.url,
            webhooks.c.secret,
        )
        .join(outbox, outbox.c.id == deliveries.c.outbox_id)
        .outerjoin(webhooks, webhooks.c.id == deliveries.c.webhook_id)
        .where(deliveries.c.id.in_(claimed))
        .order_by(deliveries.c.id)
    ).all()
    return [
        _Due(
            r.id,
            r.attempts,
            r.outbox_id,
            r.topic,
            envelope(r.outbox_id, r.topic, r.created_at, r.payload),
            r.url,
            r.secret,
        )
        for r in rows
    ]


async def _post(client: httpx.AsyncClient, d: _Due, now: dt.datetime) -> str | None:
    assert d.url is not None and d.secret is not None
    headers = {
        "Content-Type": "application/json",
        "X-Clearway-Signature": signature(d.secret, int(now.timestamp()), d.body),
        "X-Clearway-Delivery": str(d.id),
        "X-Clearway-Topic": d.topic,
    }
    try:
        response = await client.post(d.url, content=d.body, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


async def _publish(items: Sequence[_Due], url: str, timeout_s: float) -> dict[int, str | None]:
    async def quiet(_: Exception) -> None:
        return None

    try:
        # nats-py may keep trying a refused address; the dispatcher must never wait on it.
        nc = await asyncio.wait_for(
            nats.connect(
                url,
                connect_timeout=max(1, int(timeout_s)),
                allow_reconnect=False,
                max_reconnect_attempts=0,
                error_cb=quiet,
            ),
            timeout=timeout_s,
        )
    except Exception as exc:
        return {d.id: f"NATS unreachable: {type(exc).__name__}: {exc}" for d in items}
    outcome: dict[int, str | None] = {}
    try:
        js = nc.jetstream()
        try:
            await js.stream_info(STREAM)
        except NotFoundError:
            await js.add_stream(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"])
        for d in items:
            try:
                # The message id lets JetStream drop a re-sent duplicate within its window; a digest of
                # the envelope (time and content) is unique across databases where the outbox id isn't.
                await js.publish(
                    f"{SUBJECT_PREFIX}.{d.topic}",
                    d.body,
                    timeout=timeout_s,
                    headers={"Nats-Msg-Id": message_id(d.body)},
                )
                outcome[d.id] = None
            except Exception as exc:
                outcome[d.id] = f"NATS publish failed: {type(exc).__name__}: {exc}"
    except Exception as exc:
        outcome.update({d.id: f"NATS: {type(exc).__name__}: {exc}" for d in items if d.id not in outcome})
    finally:
        await nc.close()
    return outcome


async def _attempt(
    due: Sequence[_Due], settings: Settings, now: dt.datetime, timeout_s: float
) -> dict[int, str | None]:
    hooks = [d for d in due if d.url is not None]
    stream = [d for d in due if d.url is None]
    results: dict[int, str | None] = {}
    # A bounded number of requests in flight: receivers are often small servers with short backlogs.
    gate = asyncio.Semaphore(CONCURRENCY)

    async def post(client: httpx.AsyncClient, d: _Due) -> str | None:
        async with gate:
            return await _post(client, d, now)

    async with httpx.AsyncClient(timeout=timeout_s) as client:
        tasks = [post(client, d) for d in hooks]
        for d, error in zip(hooks, await asyncio.gather(*tasks), strict=True):
            results[d.id] = error
    if stream:
        results.update(await _publish(stream, settings.nats_url, timeout_s))
    return results


def _record(
    conn: Connection,
    due: Sequence[_Due],
    results: dict[int, str | None],
    settings: Settings,
    now: dt.datetime,
    report: Report,
) -> None:
    rows: list[dict[str, Any]] = []
    for d in due:
        error = results[d.id]
        attempts = d.attempts + 1
        if error is None:
            status, next_at = "delivered", now
            report.delivered += 1
        elif attempts >= settings.notify_max_attempts:
            status, next_at = "dead", now
            report.dead += 1
            report.errors.append(f"delivery {d.id} dead after {attempts} attempts: {error}")
        else:
            status = "pending"
            next_at = now + dt.timedelta(seconds=backoff_s(attempts, settings.notify_backoff_s))
            report.retried += 1
        rows.append(
            {
                "b_id": d.id,
                "b_status": status,
                "b_attempts": attempts,
                "b_next": next_at,
                "b_error": error,
                "b_delivered": now if error is None else None,
            }
        )
    if rows:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
                delivered_at=bindparam("b_delivered"),
            ),
            rows,
        )


async def dispatch_once(
    engine: Engine,
    settings: Settings,
    now: dt.datetime | None = None,
    nats_enabled: bool = True,
    timeout_s: float = 5.0,
) -> Report:
    """One pass: fan out new messages, attempt every due delivery, record the outcomes."""
    now = now or dt.datetime.now(dt.UTC)
    report = Report()
    with engine.begin() as conn:
        report.fanned_out = fan_out(conn, now, nats_enabled)
    with engine.begin() as conn:
        # Longer than any pass can take (attempts time out after `timeout_s`, all in flight together).
        due = _claim_due(conn, now, dt.timedelta(seconds=max(60.0, 4 * timeout_s)))
    if not due:
        return report
    results = await _attempt(due, settings, now, timeout_s)
    with engine.begin() as conn:
        _record(conn, due, results, settings, now, report)
    return report


async def run(
    engine: Engine, settings: Settings, interval_s: float = 1.0, once: bool = False, nats_enabled: bool = True
) -> Report:
    total = Report()
    while True:
        report = await dispatch_once(engine, settings, nats_enabled=nats_enabled)
        for name in ("fanned_out", "delivered", "retried", "dead"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.errors.extend(report.errors)
        if once:
            return total
        await asyncio.sleep(interval_s)


def retry_dead(engine: Engine, now: dt.datetime | None = None) -> int:
    """Put dead-lettered deliveries back in the queue (after the receiver is fixed)."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        return int(
            conn.execute(
                update(deliveries)
                .where(deliveries.c.status == "dead")
                .values(status="pending", attempts=0, next_attempt_at=now)
            ).rowcount
        )


def counts(conn: Connection) -> dict[str, int]:
    by_status: dict[str, int] = dict(
        conn.execute(select(deliveries.c.status, func.count()).group_by(deliveries.c.status)).all()
    )
    waiting = conn.execute(
        select(func.count()).select_from(outbox).where(or_(outbox.c.fanned_out.is_(False)))
    ).scalar_one()
    return {"outbox_waiting": int(waiting), **{k: int(v) for k, v in by_status.items()}}


def add_webhook(conn: Connection, url: str, secret: str, filer: str | None = None) -> int:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"url: '{url}' is not an http(s) URL")
    if len(secret) < 16:
        raise ValueError("secret: at least 16 characters")
    return int(
        conn.execute(
            webhooks.insert()
            .values(url=url, secret=secret, filer=filer, active=True)
            .returning(webhooks.c.id)
        ).scalar_one()
    )
