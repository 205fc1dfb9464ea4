"""Prioritising the queue: age counts from the payment (a denial: the claim's service
date), a denial ranks by the dollars at risk, and an unknown filter value is refused."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from click.testing import CliRunner

import edi_posting
from edi_posting.cli import main
from tests.test_queue_money import stranger
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

TODAY = dt.date.today()
_controls = itertools.count(700_000_001)


def _x12_date(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).strftime("%Y%m%d")


def _bill(practice: Practice, pcn: str, charge: str, served_days_ago: int) -> None:
    """An 837P of one claim served ``served_days_ago`` days ago (DTP*472)."""
    body = (HEADER.split("~", 1)[1].replace("BATCH1", f"B{pcn}") + subscriber(2)
            + claim(pcn, ("HC:99213", charge), dos=_x12_date(served_days_ago)))
    practice.import_text(build_x12(body, functional_id="HC", transaction_id="837",
                                   version="005010X222A1",
                                   interchange_control=f"{next(_controls):09d}"), "claims.837")


def _deny(practice: Practice, pcn: str, charge: str, *, served_days_ago: int, paid_days_ago: int,
          trace: str, group_carc: str = "CO*16") -> None:
    """A claim billed and denied in full by its payer: ``charge`` stays open with it."""
    _bill(practice, pcn, charge, served_days_ago)
    practice.receive(remit("0", clp(pcn, "4", charge, "0", "0", f"ICN{pcn}",
                                    svc("99213", charge, "0", f"{group_carc}*{charge}",
                                        dos=_x12_date(served_days_ago))),
                           method="NON", trace=trace, date=_x12_date(paid_days_ago)))


def _unmatched(practice: Practice, pcn: str, paid: str, *, paid_days_ago: int,
               trace: str) -> None:
    practice.receive(remit(paid, stranger(pcn, paid, paid, svc("99213", paid, paid)), trace=trace,
                           date=_x12_date(paid_days_ago)))


def _listed(session: Any, **flt: Any) -> list[tuple[str, str, int]]:
    return [(r["kind"], r["at_risk"], r["age_days"]) for r in edi_posting.list_queue(session, **flt)]


def test_age_counts_from_the_payment_date_not_from_when_the_item_opened(
        practice: Practice, as_user: Any) -> None:
    _bill(practice, "PCN1", "100", 10)  # the practice is known (its payee), PCN1 unpaid
    _unmatched(practice, "OLD1", "40", paid_days_ago=500, trace="T-OLD")  # a 17-month-old check
    _unmatched(practice, "NEW1", "30", paid_days_ago=3, trace="T-NEW")
    sam = as_user("sam")
    assert _listed(sam) == [("unmatched_payment", "40.00", 500),
                            ("unmatched_payment", "30.00", 3)]
    assert _listed(sam, older_than_days=90) == [("unmatched_payment", "40.00", 500)]
    stats = edi_posting.queue_stats(sam)
    assert [(s["kind"], s["age_bucket"], s["count"]) for s in stats] == [
        ("unmatched_payment", "0-30", 1), ("unmatched_payment", "90+", 1)]


def test_a_denial_ages_from_the_claims_service_date(practice: Practice, as_user: Any) -> None:
    _deny(practice, "PCN1", "100", served_days_ago=75, paid_days_ago=10, trace="T1")
    stats = edi_posting.queue_stats(as_user("sam"))
    assert [(s["kind"], s["age_bucket"]) for s in stats] == [("denial", "61-90")]
    assert _listed(as_user("sam"), older_than_days=60) == [("denial", "100.00", 75)]


def test_a_denial_ranks_by_the_claims_open_balance_with_its_payer(
        practice: Practice, as_user: Any) -> None:
    _deny(practice, "PCN1", "250", served_days_ago=20, paid_days_ago=5, trace="T1")
    _unmatched(practice, "ZZZ1", "80", paid_days_ago=5, trace="T2")
    _deny(practice, "PCN2", "12", served_days_ago=20, paid_days_ago=5, trace="T3")
    sam = as_user("sam")
    assert _listed(sam, sort="amount") == [("denial", "250.00", 20),
                                           ("unmatched_payment", "80.00", 5),
                                           ("denial", "12.00", 20)]
    assert _listed(sam, sort="amount", min_amount_cents=10_000) == [("denial", "250.00", 20)]


def _cli(db: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", "sam", "queue", *args])


def test_an_unknown_kind_or_status_exits_2_naming_the_valid_values(
        practice: Practice, as_user: Any, database_url: str) -> None:
    as_user("sam")
    kind = _cli(database_url, "list", "--kind", "denials")
    assert kind.exit_code == 2 and kind.stdout == ""
    assert "'denials' is not one of" in kind.stderr and "'unmatched_payment'" in kind.stderr
    status = _cli(database_url, "list", "--status", "closed")
    assert status.exit_code == 2 and "'resolved'" in status.stderr
    fine = _cli(database_url, "list", "--kind", "denial", "--status", "open", "--format", "json")
    assert (fine.exit_code, json.loads(fine.stdout)) == (0, [])
