"""Each idempotency key is a UNIQUE constraint: the database refuses a second row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import IntegrityError

from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    ClaimPayment,
    Deposit,
    Interchange,
    JournalEntry,
    ReceivedFile,
    Remittance,
    ReviewItem,
    TransactionSet,
)


@pytest.fixture
def conn(database_url: str) -> Iterator[Connection]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _insert(conn: Connection, model: Any, **values: Any) -> int:
    table: Table = model.__table__
    return int(conn.execute(insert(table).values(**values)).inserted_primary_key[0])


def _file(conn: Connection, sha: str = "a" * 64) -> int:
    return _insert(
        conn, ReceivedFile, sha256=sha, file_name="x.835", size_bytes=1, kind="835",
        content=b"x", status="received", received_by="t",
    )


def _transaction_set(conn: Connection, file_id: int, key: str = "ts-key") -> int:
    return _insert(
        conn, TransactionSet, file_id=file_id, kind="835", control_number="0001",
        identity_key=key, content_sha256="c" * 64, segment_position=3, segment_count=10,
        status="posted", imported_by="t",
    )


def _remittance(conn: Connection, ts_id: int) -> int:
    return _insert(
        conn, Remittance, transaction_set_id=ts_id, handling_code="I", payment_cents=100,
        credit_debit="C", payment_method="ACH", trace_number="T1", status="posted",
    )


def _claim_payment(conn: Connection, remit_id: int, ordinal: int, key: str) -> int:
    return _insert(
        conn, ClaimPayment, remittance_id=remit_id, ordinal=ordinal, identity_key=key,
        patient_control_number="PCN1", status_code="1", charge_cents=100, paid_cents=100,
        posting_state="posted",
    )


def _entry(conn: Connection, key: str, reverses: int | None = None) -> int:
    return _insert(
        conn, JournalEntry, entry_key=key, kind="payment", effective_date=_date(),
        actor="t", reverses_entry_id=reverses,
    )


def _date() -> Any:
    import datetime as dt

    return dt.date(2026, 1, 2)


def _refused(conn: Connection, action: Any) -> None:
    savepoint = conn.begin_nested() if conn.in_transaction() else conn.begin()
    with pytest.raises(IntegrityError):
        action()
    savepoint.rollback()


def test_same_file_sha256_is_refused(conn: Connection) -> None:
    with conn.begin():
        _file(conn)
        _refused(conn, lambda: _file(conn))


def test_same_interchange_sender_receiver_and_control_number_is_refused(conn: Connection) -> None:
    with conn.begin():
        file_a, file_b = _file(conn, "a" * 64), _file(conn, "b" * 64)
        key = {
            "sender_qualifier": "ZZ", "sender_id": "PAYER", "receiver_qualifier": "ZZ",
            "receiver_id": "PRACTICE", "control_number": "000000001", "segment_position": 1,
        }
        _insert(conn, Interchange, file_id=file_a, **key)
        _refused(conn, lambda: _insert(conn, Interchange, file_id=file_b, **key))


def test_same_transaction_set_identity_in_another_file_is_refused(conn: Connection) -> None:
    with conn.begin():
        file_a, file_b = _file(conn, "a" * 64), _file(conn, "b" * 64)
        _transaction_set(conn, file_a)
        _refused(conn, lambda: _transaction_set(conn, file_b))


def test_same_claim_payment_identity_is_refused(conn: Connection) -> None:
    with conn.begin():
        remit = _remittance(conn, _transaction_set(conn, _file(conn)))
        _claim_payment(conn, remit, 1, "ts-key|PCN1|ICN1|1|1")
        _refused(conn, lambda: _claim_payment(conn, remit, 2, "ts-key|PCN1|ICN1|1|1"))
        _refused(conn, lambda: _claim_payment(conn, remit, 1, "ts-key|PCN1|ICN1|1|9"))


def test_two_identical_claim_payments_with_different_ordinals_both_insert(conn: Connection) -> None:
    with conn.begin():
        remit = _remittance(conn, _transaction_set(conn, _file(conn)))
        _claim_payment(conn, remit, 1, "ts-key|PCN1|ICN1|1|1")
        _claim_payment(conn, remit, 2, "ts-key|PCN1|ICN1|1|2")


def test_same_journal_entry_key_is_refused(conn: Connection) -> None:
    with conn.begin():
        _entry(conn, "cp:1|line:1|payment")
        _refused(conn, lambda: _entry(conn, "cp:1|line:1|payment"))


def test_an_entry_cannot_be_reversed_twice(conn: Connection) -> None:
    with conn.begin():
        original = _entry(conn, "cp:1|payment")
        _entry(conn, "cp:1|payment|reversal:a", reverses=original)
        _refused(conn, lambda: _entry(conn, "cp:1|payment|reversal:b", reverses=original))


def test_same_review_item_dedupe_key_is_refused(conn: Connection) -> None:
    def item() -> int:
        return _insert(
            conn, ReviewItem, dedupe_key="unmatched_payment|cp:1", kind="unmatched_payment",
            status="open", priority=2, amount_cents=100, message="no claim for PCN1",
        )

    with conn.begin():
        item()
        _refused(conn, item)


def test_same_deposit_identity_is_refused(conn: Connection) -> None:
    def deposit() -> int:
        return _insert(
            conn, Deposit, identity_key="bank|2026-01-02|T1|100", deposit_date=_date(),
            amount_cents=100, trace_number="T1",
        )

    with conn.begin():
        deposit()
        _refused(conn, deposit)
