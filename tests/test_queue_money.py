"""The money-moving review actions, one scenario each, written in X12 inside the test.

For every action: the ledger entry it posts, the item events it writes, and afterwards the
queue's two money figures equal the ledger's (unapplied cash; credit balances) and every
ledger invariant holds.  Permissions and exact CLI output are at the end.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Payer,
    Refund,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
)
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)
from edi_posting.queue.items import item_detail
from edi_posting.reports.history import claim_history
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.review.actions import ActionError
from edi_posting.review.balances import transfer, write_off
from edi_posting.review.money import accept_match, apply_cash
from edi_posting.review.refunds import reapply, refund
from edi_posting.review.rematch import link_correction, rematch
from tests.acting import as_user
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)
PAID_WITH_SHARES = clp("PCN1", "1", "100", "64", "16", "ICN1",
                       svc("99213", "100", "64", "CO*45*20", "PR*2*16", line_control="PCN1-1"))


def stranger(pcn: str, charge: str, paid: str, *segments: str) -> str:
    """A claim payment for a patient we never billed: no PCN, member ID or name matches."""
    return (f"CLP*{pcn}*1*{charge}*{paid}*0*12*ICN{pcn}*11*1~\n"
            "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n" + "".join(segments))



def assert_queue_equals_ledger(practice: Practice) -> None:
    """The invariants every action must keep."""
    with practice.engine.connect() as conn:
        assert check_ledger(conn) == []
        assert queue_unapplied_cents(conn) == ledger_unapplied_cents(conn)
        assert credit_mismatches(conn) == []


def act(practice: Practice, action: Any, *args: Any, **kwargs: Any) -> Any:
    with write_transaction(practice.engine) as conn:
        result = action(conn, *args, principal=as_user(conn, "sam"), **kwargs)
    assert_queue_equals_ledger(practice)
    return result


def item_id(practice: Practice, kind: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ReviewItem.id).where(ReviewItem.kind == kind)
                                .order_by(ReviewItem.id)).scalars().first())  # type: ignore[arg-type]


def item(practice: Practice, ident: int) -> tuple[str, int]:
    with practice.engine.connect() as conn:
        row = conn.execute(select(ReviewItem.status, ReviewItem.amount_cents)
                           .where(ReviewItem.id == ident)).one()
    return row.status, row.amount_cents


def events(practice: Practice, ident: int) -> list[tuple[str, str | None]]:
    with practice.engine.connect() as conn:
        return [(r.action, r.to_status) for r in conn.execute(
            select(ReviewItemEvent.action, ReviewItemEvent.to_status)
            .where(ReviewItemEvent.review_item_id == ident).order_by(ReviewItemEvent.id))]


def entry_lines(practice: Practice, entry_id: int) -> list[tuple[str, int, str | None]]:
    """(account, cents, reason) of one entry, in line order."""
    with practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(LedgerAccount.code, JournalLine.amount_cents, JournalLine.reason_code)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalLine.entry_id == entry_id).order_by(JournalLine.ordinal))]


def entry_kind(practice: Practice, entry_id: int) -> tuple[str, int | None]:
    with practice.engine.connect() as conn:
        row = conn.execute(select(JournalEntry.kind, JournalEntry.review_item_id)
                           .where(JournalEntry.id == entry_id)).one()
    return row.kind, row.review_item_id


def claim_id(practice: Practice, pcn: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(SubmittedClaim.id).where(
            SubmittedClaim.patient_control_number == pcn)).scalar_one())


# --- apply ---------------------------------------------------------------------------------


def _paid_before_billed(practice: Practice) -> int:
    """A payment that arrives before its claim is billed: unmatched, 64.00 unapplied (the
    claim billed without the import's own matching again, tests/test_late_claims.py)."""
    practice.receive(remit("64", PAID_WITH_SHARES))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))
    return item_id(practice, "unmatched_payment")


def test_apply_of_a_whole_unmatched_payment_posts_its_lines_by_the_posting_rules(practice: Practice) -> None:
    ident = _paid_before_billed(practice)
    assert item(practice, ident) == ("open", 6400)
    result = act(practice, apply_cash, ident, "PCN1")
    assert result.message == (f"review item {ident}: applied 64.00 to claim PCN1 (lines posted "
                              "by the posting rules); 0.00 left unapplied")
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 6400, None), ("contractual_adjustments", 2000, "45"),
        ("patient_ar", 1600, "2"), ("insurance_ar", -10000, None)]
    assert entry_kind(practice, result.entry_ids[0]) == ("apply", ident)
    assert practice.balances("PCN1") == ("0.00", "16.00")
    assert item(practice, ident) == ("resolved", 0)
    assert events(practice, ident) == [("opened", "open"), ("apply", "resolved")]


def test_partial_apply_leaves_the_rest_unapplied_and_the_item_open(practice: Practice) -> None:
    ident = _paid_before_billed(practice)
    first = act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    assert first.message == f"review item {ident}: applied 30.00 to claim PCN1; 34.00 left unapplied"
    assert entry_lines(practice, first.entry_ids[0]) == [("unapplied_cash", 3000, None),
                                                         ("insurance_ar", -3000, None)]
    assert item(practice, ident) == ("open", 3400)
    with pytest.raises(ActionError, match="at most 34.00"):
        act(practice, apply_cash, ident, "PCN1", amount_cents=3500)
    act(practice, apply_cash, ident, "PCN1")
    assert item(practice, ident) == ("resolved", 0)
    assert practice.balances("PCN1") == ("36.00", "0.00")  # cash only: no adjustments guessed
    assert events(practice, ident) == [("opened", "open"), ("apply", "open"), ("apply", "resolved")]


def test_each_item_event_keeps_the_amount_left_after_it_for_the_history(
        practice: Practice) -> None:
    ident = _paid_before_billed(practice)
    act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    act(practice, apply_cash, ident, "PCN1")
    with practice.engine.connect() as conn:
        shown = [(e["action"], e["amount"]) for e in item_detail(conn, ident)["events"]]
        # the payment came from a payer the 835 named before the claim was billed (a payer
        # of its own): its side of the claim is in credit, owned by a credit item (not here)
        story = [(r["what"], r["amount"]) for r in claim_history(conn, "PCN1")
                 if not r["what"].startswith("review credit_balance")]
    assert shown == [("opened", "64.00"), ("apply", "34.00"), ("apply", "0.00")]
    assert story[-4:] == [("apply", "30.00"), ("review unmatched_payment apply", "34.00"),
                          ("apply", "34.00"), ("review unmatched_payment apply", "0.00")]


def test_applying_more_than_a_claim_owes_opens_a_credit_balance_item(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("100", clp("PCN1", "1", "100", "100", "0", "ICN1",
                                      svc("99213", "100", "100"))))
    practice.receive(remit("50", stranger("NOSUCHCLAIM", "70", "50",
                                          svc("99214", "70", "50", "CO*45*20")), trace="T2"))
    result = act(practice, apply_cash, item_id(practice, "unmatched_payment"), "PCN1")
    assert practice.balances("PCN1") == ("-50.00", "0.00")
    assert len(result.opened_item_ids) == 1
    assert item(practice, result.opened_item_ids[0]) == ("open", 5000)


def test_apply_refuses_an_item_without_cash_and_a_claim_that_does_not_exist(practice: Practice) -> None:
    ident = _paid_before_billed(practice)
    with pytest.raises(ActionError, match="no claim NOPE"):
        act(practice, apply_cash, ident, "NOPE")
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN9",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON",
                           trace="TRACE9"),  # another payment: its own trace number
                     name="denial.835")
    with pytest.raises(ActionError, match=r"\(denial\) holds no unapplied cash"):
        act(practice, apply_cash, item_id(practice, "denial"), "PCN1")


def test_an_orphan_reversal_applies_as_a_negative_amount(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("20", clp("PCN1", "22", "-100", "-60", "0", "ICN0", svc(
        "99213", "-100", "-60", "CO*45*-40")), clp("PCN1", "1", "100", "80", "0", "ICN1",
                                                   svc("99213", "100", "80", "CO*45*20"))))
    ident = item_id(practice, "orphan_reversal")
    assert item(practice, ident) == ("open", -6000)
    act(practice, apply_cash, ident, "PCN1")
    assert practice.balances("PCN1") == ("60.00", "0.00")  # the payer took 60.00 back
    assert item(practice, ident) == ("resolved", 0)


# --- accept-match, rematch -----------------------------------------------------------------


def test_accept_match_takes_the_candidate_named(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCNX", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    kind = practice.items()[0][0]
    ident = item_id(practice, kind)
    candidates = [c["claim_id"] for c in practice.evidence(kind)["candidates"]]  # type: ignore[union-attr]
    assert sorted(candidates) == [claim_id(practice, "PCN1"), claim_id(practice, "PCN2")]
    with pytest.raises(ActionError, match="has 2 candidates"):
        act(practice, accept_match, ident)
    result = act(practice, accept_match, ident, candidate_claim_id=claim_id(practice, "PCN2"))
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 8000, None), ("contractual_adjustments", 2000, "45"),
        ("insurance_ar", -10000, None)]
    assert practice.balances("PCN2") == ("0.00", "0.00")
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert events(practice, ident)[-1] == ("accept-match", "resolved")


def test_rematch_after_the_claim_is_billed_posts_it_as_import_would_have(practice: Practice) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    ident = item_id(practice, "unmatched_payment")
    [still] = act(practice, rematch, None)
    assert still.message == (f"review item {ident}: still no safe match: PCN unknown and no "
                             "claim by member ID or name")
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))
    [matched] = act(practice, rematch, [ident])
    assert matched.status == "resolved"
    assert practice.balances("PCN1") == ("0.00", "16.00")
    assert events(practice, ident) == [("opened", "open"), ("rematch", "open"),
                                       ("rematch", "resolved")]
    assert act(practice, rematch, None) == []  # nothing left to match


# --- transfer, write-off -------------------------------------------------------------------


def _denied(practice: Practice) -> int:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON"))
    return item_id(practice, "denial")


def test_transfer_to_the_patient_and_to_another_payer(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))  # denied as the patient's to pay (non-covered)
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "PR*96*100")), method="NON"))
    ident = item_id(practice, "denial")
    first = act(practice, transfer, ident, to="patient", amount_cents=4000)
    assert entry_lines(practice, first.entry_ids[0]) == [("patient_ar", 4000, None),
                                                         ("insurance_ar", -4000, None)]
    assert practice.balances("PCN1") == ("60.00", "40.00")
    assert item(practice, ident)[0] == "open"
    with practice.engine.begin() as conn:
        second_payer = conn.execute(insert(Payer.__table__).values(
            name="SECOND PAYER", primary_identifier="SECOND01")).inserted_primary_key[0]
    with pytest.raises(ActionError, match="no payer with identifier 'NOPE'"):
        act(practice, transfer, ident, to="payer", payer="NOPE")
    second = act(practice, transfer, ident, to="payer", payer="SECOND01")
    assert second.message == (f"review item {ident}: transferred 60.00 of claim PCN1 to payer SECOND01; "
                              "the denying payer's balance on the claim is settled")
    with practice.engine.connect() as conn:
        payers = conn.execute(select(JournalLine.payer_id, JournalLine.amount_cents)
                              .where(JournalLine.entry_id == second.entry_ids[0])
                              .order_by(JournalLine.ordinal)).all()
    assert next(tuple(p) for p in payers) == (second_payer, 6000)
    assert practice.balances("PCN1") == ("60.00", "40.00")  # owed by the second payer now
    assert item(practice, ident)[0] == "resolved"
    assert [a for a, _ in events(practice, ident)] == ["opened", "transfer", "transfer"]


def test_write_off_below_the_limit_resolves_the_denial(practice: Practice) -> None:
    ident = _denied(practice)
    with pytest.raises(ActionError, match="at most 100.00"):
        act(practice, write_off, ident, "CO-16", amount_cents=10001)
    result = act(practice, write_off, ident, "CO-16")
    assert entry_lines(practice, result.entry_ids[0]) == [("other_adjustments", 10000, "CO-16"),
                                                          ("insurance_ar", -10000, "CO-16")]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert item(practice, ident)[0] == "resolved"


# --- refund, reapply -------------------------------------------------------------------------


def accept_duplicates(practice: Practice) -> None:
    """The specialist accepts each payment import held as a duplicate (a claim paid twice):
    its cash alone onto the claim, which leaves the credit the tests then work."""
    with practice.engine.connect() as conn:
        held = conn.execute(select(ReviewItem.id).where(
            ReviewItem.problem_code == "DUPLICATE_PAYMENT", ReviewItem.status == "open")
            .order_by(ReviewItem.id)).scalars().all()
    for ident in held:
        with write_transaction(practice.engine) as conn:
            accept_match(conn, ident, principal=as_user(conn, "sam"), confirm=True)


def _paid_twice(practice: Practice, *also_billed: str) -> int:
    practice.bill(("PCN1", OFFICE_VISIT), *((pcn, OFFICE_VISIT) for pcn in also_billed))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    accept_duplicates(practice)
    return item_id(practice, "credit_balance")


def test_refund_creates_a_refund_payable_and_record_and_clears_the_credit(practice: Practice) -> None:
    ident = _paid_twice(practice)
    half = act(practice, refund, ident, "paid twice", amount_cents=4000, payee="ACME HEALTH")
    assert entry_lines(practice, half.entry_ids[0]) == [("insurance_ar", 4000, None),
                                                        ("refunds_payable", -4000, None)]
    assert item(practice, ident) == ("open", 6000)
    rest = act(practice, refund, ident, "paid twice")
    assert rest.status == "resolved" and practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        refunds = conn.execute(select(Refund.payee, Refund.amount_cents, Refund.reason,
                                      Refund.approved_by, Refund.journal_entry_id)
                               .order_by(Refund.id)).all()
    assert [tuple(r) for r in refunds] == [
        ("ACME HEALTH", 4000, "paid twice", "sam", half.entry_ids[0]),
        ("ACME HEALTH", 6000, "paid twice", "sam", rest.entry_ids[0])]
    assert events(practice, ident) == [("opened", "open"), ("refund", "open"),
                                       ("amount_changed", "open"), ("refund", "open"),
                                       ("auto_resolved", "resolved")]


def test_reapply_moves_a_credit_to_another_claim_of_the_account(practice: Practice) -> None:
    ident = _paid_twice(practice, "PCN2")
    with pytest.raises(ActionError, match="not another claim of the same account"):
        act(practice, reapply, ident, "PCN1")
    result = act(practice, reapply, ident, "PCN2")
    assert entry_lines(practice, result.entry_ids[0]) == [("insurance_ar", 10000, None),
                                                          ("insurance_ar", -10000, None)]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.balances("PCN2") == ("0.00", "0.00")
    assert item(practice, ident)[0] == "resolved"
    with pytest.raises(ActionError, match="resolved already"):
        act(practice, reapply, ident, "PCN2")


# --- link-correction -------------------------------------------------------------------------


def test_link_correction_applies_the_correction_waiting_in_unapplied_cash(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))))
    practice.receive(remit("0", clp("PCN1", "22", "-100", "-80", "0", "ICN1", svc(
        "99213", "-100", "-80", "CO*45*-20", line_control="PCN1-1")),
        trace="TRACE2", method="NON", plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    correction = stranger("PCN1-CORRECTED", "100", "90", svc("99213", "100", "90", "CO*45*10"))
    practice.receive(remit("10", correction, trace="TRACE3",
                           plb="PLB*1234567893*20261231*FB:ICN1*80~"))
    waiting, holder = item_id(practice, "awaiting_correction"), item_id(practice, "unmatched_payment")
    with practice.engine.connect() as conn:
        cps = dict(conn.execute(select(ClaimPayment.status_code + ClaimPayment.patient_control_number,
                                       ClaimPayment.id)).all())
    with pytest.raises(ActionError, match="is a reversal, not a correction"):
        act(practice, link_correction, waiting, cps["22PCN1"])
    result = act(practice, link_correction, waiting, cps["1PCN1-CORRECTED"])
    assert result.message == (f"review item {waiting}: corrected by claim payment "
                              f"{cps['1PCN1-CORRECTED']} (PCN1-CORRECTED) applied from review item "
                              f"{holder}")
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert item(practice, waiting)[0] == item(practice, holder)[0] == "resolved"
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 9000, None), ("contractual_adjustments", 1000, "45"),
        ("insurance_ar", -10000, None)]


# --- CLI: permissions, refusals and exact output ------------------------------------------------


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


@pytest.fixture
def users(practice: Practice, database_url: str) -> str:
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("pat", "poster"),
                       ("aud", "auditor")):
        assert runner.invoke(main, ["--db", database_url, "--actor", "ada", "users", "add",
                                    name, "--role", role]).exit_code == 0
    return database_url


def test_cli_apply_prints_what_it_did_and_a_poster_is_refused(practice: Practice, users: str) -> None:
    ident = _paid_before_billed(practice)
    refused = _cli(users, "pat", "apply", str(ident), "--claim", "PCN1")
    assert refused.exit_code == 77
    assert refused.stderr == ("edi-posting: permission denied (resolve): role 'poster' lacks the "
                              "permission 'resolve'\n")
    bad = _cli(users, "sam", "apply", str(ident), "--claim", "PCN1", "--amount", "1.234")
    assert bad.exit_code == 2 and "more than two decimals" in bad.stderr
    done = _cli(users, "sam", "apply", str(ident), "--claim", "PCN1", "--amount", "14.00")
    assert (done.exit_code, done.stdout) == (0, (f"review item {ident}: applied 14.00 to claim "
                                                "PCN1; 50.00 left unapplied\n"))
    again = _cli(users, "sam", "apply", str(ident), "--claim", "PCN1", "--amount", "60")
    assert (again.exit_code, again.stderr) == (65, ("edi-posting: the amount must be more than "
                                                   f"0.00 and at most 50.00 (what item {ident} "
                                                   "holds)\n"))
    log = CliRunner().invoke(main, ["--db", users, "--actor", "aud", "audit", "log", "--action",
                                    "queue.apply", "--format", "json"])
    assert [(e["actor"], e["outcome"]) for e in json.loads(log.stdout)] == [
        ("pat", "refused"), ("sam", "ok")]


def test_cli_write_off_above_the_limit_waits_for_approval(practice: Practice, users: str) -> None:
    ident = _denied(practice)
    assert _cli(users, "sam", "write-off-limit").stdout == "100.00\n"
    assert _cli(users, "sam", "write-off-limit", "50").exit_code == 77
    assert _cli(users, "ada", "write-off-limit", "50").stdout == "50.00\n"
    above = _cli(users, "sam", "write-off", str(ident), "--reason", "CO-16", "--amount", "60")
    assert above.exit_code == 0
    assert above.stdout == (f"review item {ident}: write-off of 60.00 waits for approval 1 "
                            "(write-offs on claim PCN1 would reach 60.00, above the write-off "
                            "limit 50.00)\n")
    assert practice.balances("PCN1") == ("100.00", "0.00")  # nothing posted
    below = _cli(users, "sam", "write-off", str(ident), "--reason", "CO-16", "--amount", "50")
    assert below.stdout == (f"review item {ident}: wrote off 50.00 of claim PCN1's insurance balance "
                            "(CO-16)\n")
    admin = _cli(users, "ada", "approve", "1")
    assert admin.stderr == ("edi-posting: the amount must be more than 0.00 and at most 50.00 "
                            "(the claim's insurance balance now)\n")
    log = CliRunner().invoke(main, ["--db", users, "--actor", "aud", "audit", "log", "--action",
                                    "queue.write-off", "--format", "json"])
    assert [(e["actor"], e["outcome"]) for e in json.loads(log.stdout)] == [("sam", "ok")]


@pytest.mark.parametrize("args", [
    ["accept-match", "1"], ["rematch", "1"], ["transfer", "1", "--to", "patient"],
    ["write-off", "1", "--reason", "small-balance"], ["refund", "1", "--reason", "X"],
    ["reapply", "1", "--claim", "PCN1"], ["link-correction", "1", "--claim-payment", "1"],
])
def test_every_money_action_needs_resolve(practice: Practice, users: str, args: list[str]) -> None:
    _paid_twice(practice)
    for actor in ("pat", "aud"):
        result = _cli(users, actor, *args)
        assert result.exit_code == 77, result.output
        assert "permission denied (resolve)" in result.stderr
    assert practice.items("resolved") == [("unmatched_payment", "PCN1")]  # the accepted duplicate


def test_a_denial_holding_money_cannot_be_dismissed_but_can_be_applied(practice: Practice) -> None:
    from edi_posting.posting.policy import set_policy
    from edi_posting.review.actions import dismiss

    practice.bill(("PCN1", OFFICE_VISIT))
    with write_transaction(practice.engine) as conn:
        set_policy(conn, "CO", "59", "contractual", never_auto_post=True)
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*59*20"))))
    ident = item_id(practice, "denial")
    assert item(practice, ident) == ("open", 8000)  # its CLP04 waits in unapplied cash
    with pytest.raises(ActionError, match="holds money"):
        act(practice, dismiss, ident, "not ours")
    act(practice, apply_cash, ident, "PCN1")  # cash only: the specialist decides the CO-59
    assert practice.balances("PCN1") == ("20.00", "0.00")
    assert item(practice, ident) == ("resolved", 0)


def test_a_reversal_of_a_payment_applied_by_hand_finds_it_by_clp07(practice: Practice) -> None:
    """The payer reverses, under the same wrong PCN, a payment a specialist applied: CLP07
    leads to the claim, and the reversal undoes the application instead of queueing an
    orphan."""
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    wrong = stranger("WRONG1", "100", "80", "SVC*HC:99213*100*80**1~\nDTM*472*20260220~\n",
                     "CAS*CO*45*20~\n")
    practice.receive(remit("80", wrong))
    act(practice, apply_cash, item_id(practice, "unmatched_payment"), "PCN1")
    assert practice.balances("PCN1") == ("0.00", "0.00")
    reversal = (wrong.replace("*1*100*80*0*", "*22*-100*-80*0*")
                .replace("SVC*HC:99213*100*80", "SVC*HC:99213*-100*-80")
                .replace("CAS*CO*45*20", "CAS*CO*45*-20"))
    other = clp("PCN2", "1", "100", "100", "0", "ICN2", svc("99213", "100", "100"))
    practice.receive(remit("20", reversal, other, trace="TRACE2"))
    assert practice.balances("PCN1") == ("100.00", "0.00")
    # no orphan; PCN2's payment pays its billed payer (the 835's payer, first seen in a file
    # that matched no claim, is never a second payer of the claim): no credit anywhere
    assert practice.items("open") == [("awaiting_correction", "PCN1")]
    assert [s for _, _, s in practice.states()] == ["reversed", "reversed_awaiting_correction", "posted"]
