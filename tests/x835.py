"""A small practice for posting tests: bill claims (837), answer them (835), look at the
ledger and the queue through the API.

Scenarios stay written in X12 inside the tests: ``clp(...)`` and ``svc(...)`` only save
typing the segments every claim payment repeats.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

from sqlalchemy import Engine, insert, select

from edi_posting.archive.transaction_sets import SetContext
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ClaimPayment, ReceivedFile, ReviewItem, SubmittedClaim
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import FileResult, ImportOptions
from edi_posting.intake.claims import import_claim_batch
from edi_posting.ledger.journal import claim_balances
from edi_posting.money import format_cents
from edi_posting.reports.ledger_checks import check_ledger
from tests.x12build import build_x12, write_x12
from tests.x837 import HEADER, batch_of, claim, subscriber

__all__ = ["Practice", "clp", "remit", "svc"]

_files = itertools.count(1)


def clp(pcn: str, status: str, charge: str, paid: str, pr: str = "0", icn: str = "ICN1",
        *segments: str) -> str:
    return (f"CLP*{pcn}*{status}*{charge}*{paid}*{pr}*12*{icn}*11*1~\n"
            f"NM1*QC*1*ZQCANARY*ALBA****MI*ZQM000111~\n" + "".join(s + "\n" for s in segments))


def svc(code: str, charge: str, paid: str, *cas: str, line_control: str | None = None,
        dos: str = "20260220") -> str:
    text = f"SVC*HC:{code}*{charge}*{paid}**1~\nDTM*472*{dos}~\n"
    text += "".join(f"CAS*{c}~\n" for c in cas)
    if line_control:
        text += f"REF*6R*{line_control}~\n"
    return text


def remit(amount: str, *claims: str, trace: str = "TRACE1", plb: str = "", method: str = "ACH",
          date: str = "20260310") -> str:
    """One 835 set body: BPR/TRN/payer/payee, LX, the claims, then the PLB segments."""
    return (
        f"BPR*I*{amount}*C*{method}*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*"
        f"{date}~\nTRN*1*{trace}*1512345678~\nDTM*405*{date}~\nN1*PR*ACME HEALTH~\n"
        f"N1*PE*GOOD HEALTH CLINIC*XX*1234567893~\nLX*1~\n" + "".join(claims) + plb
    )


class Practice:
    """One database, the files imported into it, and the questions tests ask of it."""

    def __init__(self, database_url: str, directory: Path) -> None:
        self.engine: Engine = make_engine(database_url)
        self.directory = directory
        self.options = ImportOptions(actor="tester")

    def bill(self, *claims: tuple[str, tuple[tuple[str, str], ...]]) -> FileResult:
        """An 837P with one subscriber and these claims: (pcn, ((procedure, charge), ...))."""
        body = HEADER.split("~", 1)[1] + subscriber(2) + "".join(claim(pcn, *lines)
                                                                  for pcn, lines in claims)
        text = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                         interchange_control=f"{next(_files):09d}")
        return self.import_text(text, "claims.837")

    def bill_unanswered(self, *claims: tuple[str, tuple[tuple[str, str], ...]]) -> None:
        """As ``bill``, through the intake stage alone (``import_claim_batch``): payments
        already waiting for these claims stay waiting (``import`` would match them again),
        for tests of what a specialist does with such a payment."""
        number = next(_files)
        body = subscriber(2) + "".join(claim(pcn, *lines) for pcn, lines in claims)
        content = f"x{number}".encode()  # a stand-in, stored with its true SHA-256
        sha256 = hashlib.sha256(content).hexdigest()
        with write_transaction(self.engine) as conn:
            file_id = new_id(conn.execute(insert(table_of(ReceivedFile)).values(
                sha256=sha256, file_name=f"{number:03d}-claims.837", size_bytes=len(content),
                kind="837P", content=content, status="imported", received_by="tester")))
            import_claim_batch(conn, SetContext(file_id, None, f"{number:09d}", "tester"),
                               batch_of(body, bht=f"BATCH{number}", sha=sha256))

    def receive(self, *sets: str, name: str = "remit.835", control: int | None = None
                ) -> FileResult:
        text = build_x12(*sets, interchange_control=f"{control or next(_files):09d}")
        return self.import_text(text, name)

    def import_text(self, text: str, name: str) -> FileResult:
        path = write_x12(self.directory, text, f"{next(_files):03d}-{name}")
        return import_file(self.engine, path, self.options)

    def balances(self, pcn: str) -> tuple[str, str]:
        with self.engine.connect() as conn:
            claim_id = conn.execute(select(SubmittedClaim.id).where(
                SubmittedClaim.patient_control_number == pcn)).scalar_one()
            b = claim_balances(conn, claim_id)
        return format_cents(b.insurance_cents), format_cents(b.patient_cents)

    def items(self, status: str | None = None) -> list[tuple[str, str | None]]:
        """(kind, PCN of the claim) of every review item, in the order opened."""
        query = select(ReviewItem.kind, SubmittedClaim.patient_control_number).outerjoin(
            SubmittedClaim, SubmittedClaim.id == ReviewItem.submitted_claim_id
        ).order_by(ReviewItem.id)
        if status:
            query = query.where(ReviewItem.status == status)
        with self.engine.connect() as conn:
            return [(k, p) for k, p in conn.execute(query)]

    def evidence(self, kind: str) -> dict[str, object]:
        with self.engine.connect() as conn:
            return conn.execute(select(ReviewItem.evidence).where(ReviewItem.kind == kind)
                                .order_by(ReviewItem.id)).scalars().first() or {}

    def states(self) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(
                ClaimPayment.patient_control_number, ClaimPayment.status_code,
                ClaimPayment.posting_state).order_by(ClaimPayment.id))]  # type: ignore[misc]

    def check(self) -> None:
        with self.engine.connect() as conn:
            assert check_ledger(conn) == []

    def close(self) -> None:
        self.engine.dispose()
