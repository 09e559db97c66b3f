"""The words every feature uses for a shipment, declared once: its state, its lane, the holds and
controls of the clearance workflow, and the status of a submission at intake.

Lanes are the risk level the pipeline decides (framework.md): green (release), yellow (documentary
check), red (physical inspection). NII is a control, not a lane (docs/adr/0001): one of the three ways
of checking a held shipment, chosen by the selection run within the day's inspection capacity.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    FILED = "filed"
    ASSESSED = "assessed"
    ARRIVED = "arrived"
    HELD = "held"
    RELEASED = "released"
    SEIZED = "seized"
    REFUSED = "refused"
    RETURNED = "returned"


class Lane(StrEnum):
    """The stored lane of a shipment; `risk.rules.Lane` is the same three, ordered by severity."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class HoldKind(StrEnum):
    DOCUMENTS = "documents"  # documentary check or request for information
    NII = "nii"  # non-intrusive inspection (scan)
    INSPECTION = "inspection"  # physical inspection
    AGENCY = "agency"  # another government agency (Single Window)
    PAYMENT = "payment"


class Control(StrEnum):
    """How a held shipment is checked; a control result answers the holds it settles."""

    DOCUMENTS = "documents"
    NII = "nii"
    PHYSICAL = "physical"


class IngestStatus(StrEnum):
    """What became of one submitted record."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


# Refused records: counted in the filer's data-quality record, never stored as shipments.
REFUSED = frozenset({IngestStatus.REJECTED, IngestStatus.CONFLICT})
