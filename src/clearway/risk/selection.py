"""Selection for control: by score within an office's daily capacity, plus a random exploration share.

Purely greedy selection only ever sees outcomes of what it already believes risky, and a model
retrained on those labels drifts into its own blind spots; a share of the capacity drawn uniformly at
random from the rest keeps an unbiased sample of outcomes (the exploration hit rate on the drift page
is measured on it). Every run stores its inputs (candidates with scores and control needs, capacity,
share, seed), and `choose` is a pure function of them: `replay` recomputes any stored run.

Control: a physical examination where the risk is about the goods themselves (prohibited or restricted
goods, a watch-listed party) and for exploration picks (an unbiased label needs the full check); a
non-intrusive scan (NII) otherwise, where the question is whether the contents match the declaration
(undervaluation, misdescription, split consignments, model score).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from clearway.declarations.tables import decisions, shipments
from clearway.risk.errors import SelectionError
from clearway.risk.history import day_bounds
from clearway.risk.tables import decision_scores, inspection_capacity, selection_runs, selections

PHYSICAL_RULES = frozenset({"R-PROHIBITED", "R-RESTRICTED", "R-WATCHLIST"})
capacity_table = inspection_capacity
runs = selection_runs
picks = selections


@dataclass(frozen=True, slots=True)
class Candidate:
    shipment_id: str
    score: float
    physical: bool  # the risk needs a physical examination


@dataclass(frozen=True, slots=True)
class Pick:
    shipment_id: str
    kind: str  # score | exploration
    control: str  # nii | physical
    score: float


def exploration_slots(capacity: int, share: float) -> int:
    """Slots of the capacity given to exploration: share x capacity rounded half up."""
    return math.floor(capacity * share + 0.5)


def choose(candidates: Sequence[Candidate], capacity: int, share: float, seed: int) -> list[Pick]:
    """The top (capacity - exploration) by score, then exploration drawn at random from the rest.

    Ties in score go to the smaller shipment id, and the random draw runs over the remaining ids in
    sorted order, so the result depends on the inputs only, never on their order.
    """
    if capacity < 0:
        raise SelectionError("capacity must be 0 or more", "capacity")
    if not 0.0 <= share <= 1.0:
        raise SelectionError("exploration must be between 0 and 1", "exploration")
    ranked = sorted(candidates, key=lambda c: (-c.score, c.shipment_id))
    explore = exploration_slots(capacity, share)
    greedy = ranked[: max(0, capacity - explore)]
    rest = sorted(ranked[len(greedy) :], key=lambda c: c.shipment_id)
    drawn = random.Random(seed).sample(rest, min(explore, len(rest)))
    return [
        *(Pick(c.shipment_id, "score", "physical" if c.physical else "nii", c.score) for c in greedy),
        *(
            Pick(c.shipment_id, "exploration", "physical", c.score)
            for c in sorted(drawn, key=lambda c: c.shipment_id)
        ),
    ]


def default_seed(office: str, day: dt.date) -> int:
    """A seed fixed by office and day, so that running the same selection twice gives the same draw."""
    return int.from_bytes(
        hashlib.blake2b(f"{office}:{day.isoformat()}".encode(), digest_size=6).digest(), "big"
    )


def candidates_for(conn: Connection, office: str, day: dt.date) -> list[Candidate]:
    """Shipments filed at the office that day: the latest model score, else the rule score."""
    start, end = day_bounds(day, day)
    rows = (
        conn.execute(
            select(shipments.c.id).where(
                shipments.c.office_of_entry == office,
                shipments.c.lodged_at >= start,
                shipments.c.lodged_at < end,
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        return []
    rule_score: dict[Any, float] = {}
    physical: dict[Any, bool] = {}
    model_score: dict[Any, float] = {}
    for start_at in range(0, len(rows), 4000):
        chunk = rows[start_at : start_at + 4000]
        for sid, score, reasons in conn.execute(
            select(decisions.c.shipment_id, decisions.c.score, decisions.c.reasons)
            .where(decisions.c.shipment_id.in_(chunk))
            .order_by(decisions.c.id)
        ):
            rule_score[sid] = float(score)
            physical[sid] = any(r.get("rule") in PHYSICAL_RULES for r in reasons or [])
        for sid, score in conn.execute(
            select(decision_scores.c.shipment_id, decision_scores.c.score)
            .where(decision_scores.c.shipment_id.in_(chunk))
            .order_by(decision_scores.c.id)
        ):
            model_score[sid] = float(score)
    return [
        Candidate(
            str(sid), round(model_score.get(sid, rule_score.get(sid, 0.0)), 6), physical.get(sid, False)
        )
        for sid in rows
    ]


def office_capacity(conn: Connection, office: str) -> int | None:
    value = conn.execute(select(capacity_table.c.per_day).where(capacity_table.c.office == office)).scalar()
    return None if value is None else int(value)


def set_capacity(conn: Connection, office: str, per_day: int) -> None:
    if per_day < 0:
        raise SelectionError("capacity must be 0 or more", "capacity")
    conn.execute(capacity_table.delete().where(capacity_table.c.office == office))
    conn.execute(capacity_table.insert(), [{"office": office, "per_day": per_day}])


def _model_version(conn: Connection, ids: Sequence[str]) -> str | None:
    if not ids:
        return None
    import uuid

    return conn.execute(
        select(decision_scores.c.model_version)
        .where(decision_scores.c.shipment_id.in_([uuid.UUID(i) for i in ids[:4000]]))
        .order_by(decision_scores.c.id.desc())
        .limit(1)
    ).scalar()


def run_selection(
    conn: Connection,
    office: str,
    day: dt.date,
    capacity: int | None = None,
    exploration: float = 0.1,
    seed: int | None = None,
) -> dict[str, Any]:
    """Choose, store the run with its inputs and picks, and return it."""
    import uuid

    if not office:
        raise SelectionError("office is required", "office")
    if capacity is None:
        capacity = office_capacity(conn, office)
        if capacity is None:
            raise SelectionError(f"capacity: no inspection capacity set for office {office}; give one")
    seed = default_seed(office, day) if seed is None else seed
    candidates = candidates_for(conn, office, day)
    chosen = choose(candidates, capacity, exploration, seed)
    now = dt.datetime.now(dt.UTC)
    version = _model_version(conn, [c.shipment_id for c in candidates])
    run_id = conn.execute(
        runs.insert().returning(runs.c.id),
        {
            "office": office,
            "day": day,
            "capacity": capacity,
            "exploration_share": exploration,
            "seed": seed,
            "model_version": version,
            "candidates": [[c.shipment_id, c.score, c.physical] for c in candidates],
            "created_at": now,
        },
    ).scalar_one()
    if chosen:
        conn.execute(
            picks.insert(),
            [
                {
                    "run_id": run_id,
                    "shipment_id": uuid.UUID(p.shipment_id),
                    "kind": p.kind,
                    "control": p.control,
                    "score": p.score,
                }
                for p in chosen
            ],
        )
    return _view(run_id, office, day, capacity, exploration, seed, version, len(candidates), chosen, now)


def _view(
    run_id: int,
    office: str,
    day: dt.date,
    capacity: int,
    exploration: float,
    seed: int,
    version: str | None,
    candidates: int,
    chosen: Sequence[Pick],
    at: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": run_id,
        "office": office,
        "date": day.isoformat(),
        "capacity": capacity,
        "exploration": exploration,
        "exploration_slots": exploration_slots(capacity, exploration),
        "seed": seed,
        "model_version": version,
        "candidates": candidates,
        "created_at": at.isoformat(),
        "selected": [
            {"shipment_id": p.shipment_id, "kind": p.kind, "control": p.control, "score": p.score}
            for p in chosen
        ],
    }


def get_run(conn: Connection, run_id: int) -> dict[str, Any] | None:
    run = conn.execute(select(runs).where(runs.c.id == run_id)).first()
    if run is None:
        return None
    chosen = [
        Pick(str(p.shipment_id), p.kind, p.control, float(p.score))
        for p in conn.execute(select(picks).where(picks.c.run_id == run_id).order_by(picks.c.id))
    ]
    return _view(
        run.id, run.office, run.day, run.capacity, run.exploration_share, run.seed, run.model_version,
        len(run.candidates), chosen, run.created_at,
    )  # fmt: skip


def replay(conn: Connection, run_id: int) -> list[Pick]:
    """The choice recomputed from a stored run's inputs (equal to its stored picks)."""
    run = conn.execute(select(runs).where(runs.c.id == run_id)).first()
    if run is None:
        raise SelectionError(f"no selection run {run_id}")
    candidates = [Candidate(str(i), float(s), bool(p)) for i, s, p in run.candidates]
    return choose(candidates, run.capacity, run.exploration_share, run.seed)
