"""`ledger digest` proves two ledgers hold the same content: generated ids, rolled-back
work, the database and the order of independent files do not change it; any dimension of
any journal line does."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, select

from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    PatientAccount,
    Payer,
    ProviderAdjustment,
    Remittance,
    ReviewItem,
    ServiceLinePayment,
    SubmittedClaim,
    SubmittedLine,
)
from edi_posting.importing.pipeline import import_file, import_paths
from edi_posting.importing.units import ImportOptions
from edi_posting.posting import remittances as remittance_posting
from edi_posting.reports.ledger_digest import ledger_digest
from edi_posting.review.money import apply_cash
from tests.acting import as_user
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

Factory = Callable[[], AbstractContextManager[str]]
OPTIONS = ImportOptions(actor="tester")


def _claims_837(bht: str, control: str, *claims: str, payer_id: str = "ACME01",
                member: str = "ZQM000111", last: str = "ZQCANARY") -> str:
    body = (HEADER.replace("BATCH1", bht).split("~", 1)[1]
            + subscriber(2, last=last, member=member, payer_id=payer_id) + "".join(claims))
    return build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control=control.rjust(9, "0"))


def _files(directory: Path) -> dict[str, Path]:
    """Two independent 837s (two patients, two payers) and two independent 835s: one pays
    PCN1 (line CAS, a PLB) and holds a payment for an unknown claim, the other pays PCN3
    (a PLB) and denies PCN4."""
    texts = {
        "a.837": _claims_837("BATCHA", "0101", claim("PCN1", ("HC:99213", "100"),
                                                     ("HC:81002", "20")),
                             claim("PCN2", ("HC:99213", "100"))),
        "b.837": _claims_837("BATCHB", "0102", claim("PCN3", ("HC:99214", "150")),
                             claim("PCN4", ("HC:99213", "80")),
                             payer_id="OTHER01", member="ZQM000999", last="ZQOTHER"),
        "a.835": build_x12(remit(
            "145", clp("PCN1", "1", "120", "100", "0", "ICN1",
                       svc("99213", "100", "85", "CO*45*15"), svc("81002", "20", "15", "CO*45*5")),
            # a patient we never billed (PCN1's own would be scored to PCN1/PCN2 by the fallback)
            "CLP*NOPE9*1*50*50*0*12*ICN9*11*1~\nNM1*QC*1*ZQSTRANGE*NAME****MI*ZQX999~\n"
            + svc("99213", "50", "50"),
            trace="TA", plb="PLB*1234567893*20261231*WO:PCN1*5~\n"), interchange_control="000000201"),
        "b.835": build_x12(remit(
            "117", clp("PCN3", "1", "150", "120", "0", "ICN3", svc("99214", "150", "120", "CO*45*30")),
            clp("PCN4", "4", "80", "0", "0", "ICN4", svc("99213", "80", "0", "CO*50*80")),
            trace="TB", plb="PLB*1234567893*20261231*WO:PCN3*3~\n"), interchange_control="000000202",
        ).replace("*1512345678~", "*1999999999~").replace("N1*PR*ACME HEALTH", "N1*PR*OTHER HEALTH"),
    }
    return {name: write_x12(directory, text, name) for name, text in texts.items()}


def _apply_unmatched(engine: Engine) -> None:
    """A specialist applies the unknown claim's payment to PCN2 (a queue entry)."""
    with write_transaction(engine) as conn:
        item = conn.execute(select(ReviewItem.id).where(
            ReviewItem.kind == "unmatched_payment")).scalar_one()
        apply_cash(conn, item, "PCN2", principal=as_user(conn, "tester"), amount_cents=5_000)


def _import(url: str, files: dict[str, Path], order: list[str]) -> str:
    engine = make_engine(url)
    for name in order:
        assert import_file(engine, files[name], OPTIONS).status == "imported", name
    _apply_unmatched(engine)
    with engine.connect() as conn:
        digest = ledger_digest(conn)
    engine.dispose()
    return digest


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    target = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, target)
    yield f"sqlite:///{target}"


def test_independent_files_imported_in_another_order_give_the_same_digest(
    database_url: str, database_factory: Factory, tmp_path: Path,
) -> None:
    files = _files(tmp_path)
    first = _import(database_url, files, ["a.837", "b.837", "a.835", "b.835"])
    with database_factory() as other:
        second = _import(other, files, ["b.837", "a.837", "b.835", "a.835"])
    assert first == second


def test_the_same_content_gives_the_same_digest_on_sqlite_and_postgresql(
    database_url: str, sqlite_url: str, tmp_path: Path,
) -> None:
    files = _files(tmp_path)
    order = ["a.837", "b.837", "a.835", "b.835"]
    assert _import(database_url, files, order) == _import(sqlite_url, files, order)


def test_a_dry_run_and_a_rolled_back_import_before_the_real_one_leave_the_digest_of_a_clean_import(
    database_url: str, database_factory: Factory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _files(tmp_path)
    with database_factory() as clean:
        expected = _import(clean, files, ["a.837", "b.837", "a.835", "b.835"])
    engine = make_engine(database_url)
    for name in ("a.837", "b.837"):
        import_file(engine, files[name], OPTIONS)
    dry = import_file(engine, files["a.835"], ImportOptions(actor="tester", dry_run=True))
    assert dry.queued == 1

    def crash(*args: Any) -> None:
        raise RuntimeError("simulated crash after the set's entries and items were written")

    monkeypatch.setattr(remittance_posting, "interest_problem", crash)
    assert import_paths(engine, [files["a.835"]], OPTIONS).files[0].status == "failed"
    monkeypatch.undo()
    engine.dispose()
    assert _import(database_url, files, ["a.835", "b.835"]) == expected


# --- each dimension of an entry and of its lines is in the digest -------------------------

_E, _L = table_of(JournalEntry), table_of(JournalLine)
_ONE_LINE_DIMENSIONS = {
    "payer_id": Payer, "patient_account_id": PatientAccount,
    "submitted_claim_id": SubmittedClaim, "submitted_line_id": SubmittedLine,
    "service_line_payment_id": ServiceLinePayment, "adjustment_id": Adjustment,
    "provider_adjustment_id": ProviderAdjustment,
}
_ENTRY_DIMENSIONS = {
    "remittance_id": Remittance, "claim_payment_id": ClaimPayment,
    "submitted_claim_id": SubmittedClaim, "review_item_id": ReviewItem,
    "reverses_entry_id": JournalEntry,
}


def _two(conn: Connection, model: type[Any]) -> tuple[Any, Any]:
    """Two rows of a table, to point one variant at each."""
    rows = conn.execute(select(model.__table__.c.id).order_by(
        model.__table__.c.id).limit(2)).scalars().all()
    assert len(rows) == 2, model.__tablename__
    return rows[0], rows[1]


def _variants(conn: Connection) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(dimension, entry values, line values) of the first variant, then of the second."""
    for column, model in _ONE_LINE_DIMENSIONS.items():
        a, b = _two(conn, model)
        yield f"line {column}", {}, {column: a}
        yield f"line {column}", {}, {column: b}
    for column, model in _ENTRY_DIMENSIONS.items():
        a, b = _two(conn, model)
        yield f"entry {column}", {column: a}, {}
        yield f"entry {column}", {column: b}, {}
    for name, first, second in (("group_code", "CO", "PR"), ("reason_code", "45", "2")):
        yield f"line {name}", {}, {name: first}
        yield f"line {name}", {}, {name: second}
    for name, first, second in (("kind", "manual", "apply"),
                                ("effective_date", dt.date(2026, 1, 1), dt.date(2026, 1, 2))):
        yield f"entry {name}", {name: first}, {}
        yield f"entry {name}", {name: second}, {}
    for account, amount in (("cash_clearing", 100), ("unapplied_cash", 100),
                            ("cash_clearing", 100), ("cash_clearing", 101)):
        yield "line account or amount", {}, {"account": account, "amount_cents": amount}


def _digest_with(engine: Engine, entry: dict[str, Any], line: dict[str, Any]) -> str:
    """The digest with one more balanced entry, in a transaction rolled back after."""
    with engine.connect() as conn, conn.begin() as transaction:
        accounts = dict(conn.execute(select(LedgerAccount.code, LedgerAccount.id)).all())
        values = {"entry_key": "raw-correction", "kind": "manual",
                  "effective_date": dt.date(2026, 1, 1), "actor": "t", **entry}
        entry_id = conn.execute(insert(_E).values(**values)).inserted_primary_key[0]
        moved = {"account": "cash_clearing", "amount_cents": 100, **line}
        account, amount = moved.pop("account"), moved.pop("amount_cents")
        conn.execute(insert(_L).values(entry_id=entry_id, ordinal=1, account_id=accounts[account],
                                       amount_cents=amount, **moved))
        conn.execute(insert(_L).values(entry_id=entry_id, ordinal=2,
                                       account_id=accounts["bank"], amount_cents=-amount))
        digest = ledger_digest(conn)
        transaction.rollback()
    return digest


def test_moving_money_to_another_claim_account_payer_or_any_dimension_changes_the_digest(
    database_url: str, tmp_path: Path,
) -> None:
    files = _files(tmp_path)
    _import(database_url, files, ["a.837", "b.837", "a.835", "b.835"])
    engine = make_engine(database_url)
    with engine.connect() as conn:
        variants = list(_variants(conn))
    unchanged = []
    for (name, entry_a, line_a), (_, entry_b, line_b) in zip(variants[::2], variants[1::2],
                                                            strict=True):
        a = _digest_with(engine, entry_a, line_a)
        assert _digest_with(engine, entry_a, line_a) == a, f"{name}: not stable"
        if _digest_with(engine, entry_b, line_b) == a:
            unchanged.append(name)
    engine.dispose()
    assert unchanged == []
