"""Buyer collection model and the ledger side of lifecycle events.

Payment request: a shipment whose duties and taxes are due at the border (and not released on an
intermediary's account) has a request with the amount due and a structured creditor reference
(ISO 11649 ``RF``), which the buyer or the carrier pays; the lifecycle releases only after the payment
event settles it. The request is derived from the stored shipment, so it is never out of date.

`post_transition` is called by the clearance service in the transaction of each event: a payment is
posted (with the assessment it pays, the first time), and a return refunds what was paid and reverses
the assessment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.engine import Connection

from clearway.reference.money import format_minor
from clearway.revenue import ledger, repository
from clearway.revenue.accounts import secured_on_account


def creditor_reference(shipment_id: uuid.UUID) -> str:
    """ISO 11649 structured reference from the shipment id's last 16 hex digits: RF + 2 check digits."""
    body = shipment_id.hex[-16:].upper()
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    check = 98 - int(digits) % 97
    return f"RF{check:02d}{body}"


def is_valid_reference(reference: str) -> bool:
    ref = reference.upper()
    if not ref.startswith("RF") or len(ref) < 5 or not ref[2:].isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in ref[4:] + ref[:4])
    return int(digits) % 97 == 1


def payment_request(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any] | None:
    """The payment request of a shipment, or None if there is no such shipment.

    `status` is ``open``, ``paid``, ``on_account`` (charged to an intermediary account: nothing for the
    buyer to pay) or ``none`` (nothing due at the border)."""
    row = repository.payment_position(conn, shipment_id)
    if row is None:
        return None
    cur, due, paid = row.revenue_currency, row.due_at_border_minor, row.paid_minor
    on_account = secured_on_account(conn, [shipment_id])[shipment_id]
    if due == 0:
        status = "none"
    elif on_account:
        status = "on_account"
    else:
        status = "paid" if paid >= due else "open"
    lines = repository.border_lines(conn, [shipment_id]).get(shipment_id, {})
    outstanding = 0 if status in ("none", "on_account") else max(due - paid, 0)
    return {
        "shipment_id": str(shipment_id),
        "state": row.state,
        "collection_model": row.collection_model,
        "status": status,
        "reference": creditor_reference(shipment_id),
        "currency": cur,
        "amount_due": format_minor(due, cur),
        "paid": format_minor(paid, cur),
        "outstanding": format_minor(outstanding, cur),
        "by_tax_type": {t: format_minor(a, cur) for t, a in sorted(lines.items())},
        "release": "after payment" if status == "open" else "no payment needed",
    }


def post_transition(
    conn: Connection, shipment_id: uuid.UUID, event_type: str, amount_minor: int, at: dt.datetime
) -> None:
    """Ledger postings of one lifecycle event (payment or return; other events post nothing)."""
    if event_type not in ("payment", "return"):
        return
    currency = repository.revenue_currency(conn, shipment_id)
    position = ledger.shipment_postings(conn, [shipment_id]).get(shipment_id)
    postings: list[ledger.PostingSet] = []
    if event_type == "payment":
        receivable = position.receivable if position and position.receivable else None
        account = position.revenue_account if position else None
        if receivable is None:
            # First payment of a shipment not on account: its border dues become the buyer's debt.
            receivable = ledger.BUYER_RECEIVABLE
            lines = repository.border_lines(conn, [shipment_id]).get(shipment_id, {})
            postings.append(ledger.assessment(shipment_id, currency, lines, receivable, at))
        postings.append(
            ledger.payment(
                amount_minor,
                currency,
                receivable,
                at,
                f"payment {creditor_reference(shipment_id)}",
                shipment_id,
                account,
            )
        )
    elif position is not None and not position.refunded and position.receivable is not None:
        postings.append(
            ledger.refund(
                shipment_id,
                currency,
                position.paid_minor,
                position.assessed,
                position.receivable,
                at,
                position.revenue_account,
            )
        )
    ledger.post(conn, [p for p in postings if p.entries])
