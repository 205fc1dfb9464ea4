"""A practice's staff for tests of the public API: one session per person, and the X12
files they work on, written inside the test with the builders.

The first user added is always an admin (``ada``); the others get the roles their names
say.  Tests trust the claimed actor (see ``_login_double`` in conftest.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import edi_posting
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

STAFF = {"ada": "admin", "pat": "poster", "sam": "specialist", "aud": "auditor"}
_numbers = itertools.count(500)


@contextmanager
def staffed(database_url: str) -> Iterator[dict[str, edi_posting.Session]]:
    """A session for each of :data:`STAFF`, the users added through the API by ada."""
    sessions = {name: edi_posting.open_session(database_url, actor=name) for name in STAFF}
    try:
        for name, role in STAFF.items():
            edi_posting.add_user(sessions["ada"], name, role)
        yield sessions
    finally:
        for session in sessions.values():
            session.close()


def bill(directory: Path, *pcns: str, charge: str = "100.00") -> Path:
    """An 837P with one subscriber and one single-line claim per PCN."""
    body = HEADER.split("~", 1)[1] + subscriber(2) + "".join(
        claim(pcn, ("HC:99213", charge)) for pcn in pcns)
    text = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control=f"{next(_numbers):09d}")
    return write_x12(directory, text, f"{next(_numbers)}-claims.837")


def pay(directory: Path, pcn: str, charge: str = "100.00", paid: str = "80.00") -> Path:
    """An 835 paying ``paid`` of the claim, the rest a CO-45 contractual adjustment."""
    rest = str(Decimal(charge) - Decimal(paid))
    body = remit(paid, clp(pcn, "1", charge, paid, "0", "ICN1",
                           svc("99213", charge, paid, f"CO*45*{rest}")))
    text = build_x12(body, interchange_control=f"{next(_numbers):09d}")
    return write_x12(directory, text, f"{next(_numbers)}-remit.835")


def refusals(session: edi_posting.Session, action: str) -> list[dict[str, object]]:
    """The refused events of ``action`` on the audit trail (read by ``session``)."""
    return [e for e in edi_posting.audit_log(session, action=action)
            if e["outcome"] == "refused"]
