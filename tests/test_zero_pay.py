"""A claim payment that pays $0 and assigns nothing to the patient is a denial, whatever its
CARCs, unless the payer's policy marks every CARC on it contractual on zero pay (capitation,
value-based contracts): nothing is ever written off by default.  Posting rules without a
database, then imports on SQLite and PostgreSQL, then `policy set --zero-pay`."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import JournalLine, LedgerAccount, ReviewItem
from edi_posting.posting.policy import set_policy
from edi_posting.posting.rules import CasFact, ClaimFact, Disposition, LineFact, classify
from tests.x835 import Practice, clp, remit, svc

CAPITATED = ClaimFact("1", 10000, 0, (), (LineFact(10000, 0, (CasFact("CO", "24", 10000),)),))


def test_zero_paid_claim_with_a_carc_off_the_denial_list_is_a_denial_not_a_write_off() -> None:
    other = ClaimFact("2", 300200, 0, (CasFact("OA", "176", 300200),), ())
    assert classify(other) is Disposition.DENIED
    assert classify(CAPITATED) is Disposition.DENIED  # no policy: capitation is not assumed


def test_zero_pay_posts_only_when_the_policy_marks_every_carc_contractual_on_zero_pay() -> None:
    assert classify(CAPITATED, {("CO", "24"): True}) is Disposition.POST
    assert classify(CAPITATED, {("CO", "*"): True}) is Disposition.POST
    assert classify(CAPITATED, {("OA", "24"): True}) is Disposition.DENIED
    assert classify(CAPITATED, {("CO", "*"): True, ("CO", "24"): False}) is Disposition.DENIED
    mixed = ClaimFact("1", 10000, 0, (CasFact("OA", "176", 100),), (
        LineFact(10000, 0, (CasFact("CO", "24", 9900),)),))
    assert classify(mixed, {("CO", "24"): True}) is Disposition.DENIED


def test_zero_pay_with_a_patient_share_or_a_forward_follows_the_same_rule() -> None:
    deductible = ClaimFact("1", 10000, 0, (), (LineFact(10000, 0, (CasFact("PR", "1", 10000),)),))
    assert classify(deductible) is Disposition.POST  # the patient owes it: not a denial
    forwarded = ClaimFact("19", 10000, 0, (CasFact("OA", "23", 10000),), ())
    assert classify(forwarded) is Disposition.DENIED
    assert classify(forwarded, {("OA", "23"): True}) is Disposition.FORWARDED



def _account_total(practice: Practice, code: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(LedgerAccount.code == code)).scalar_one())


def test_secondary_paying_nothing_with_oa_176_opens_a_denial_and_writes_nothing_off(
        practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "3002"),)))
    result = practice.receive(remit("0", clp("PCN1", "2", "3002", "0", "0", "ICN1",
                                             svc("99213", "3002", "0", "OA*176*3002")),
                                    method="NON"))
    assert (result.posted, result.queued) == (0, 1)
    assert practice.items() == [("denial", "PCN1")]
    assert _account_total(practice, "other_adjustments") == 0
    assert practice.balances("PCN1") == ("3002.00", "0.00")
    assert practice.states() == [("PCN1", "2", "denied")]
    with practice.engine.connect() as conn:
        assert conn.execute(select(ReviewItem.problem_code)).scalar_one() == "ZERO_PAY_DENIAL"


def test_a_payer_policy_marking_capitation_contractual_on_zero_pay_posts_it(
        practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)), ("PCN2", (("HC:99213", "100"),)))
    capitated = clp("PCN1", "1", "100", "0", "0", "ICN1", svc("99213", "100", "0", "CO*24*100"))
    practice.receive(remit("0", capitated, method="NON"))
    assert practice.items() == [("denial", "PCN1")]  # nothing marked yet
    with write_transaction(practice.engine) as conn:
        set_policy(conn, "CO", "24", "contractual", payer="ACME HEALTH",
                   zero_pay_contractual=True)
    practice.receive(remit("0", capitated.replace("PCN1", "PCN2"), method="NON",
                           trace="TRACE2"))
    assert practice.items()[1:] == []
    assert practice.balances("PCN2") == ("0.00", "0.00")
    assert _account_total(practice, "contractual_adjustments") == 10000


def test_policy_set_zero_pay_from_the_cli_with_its_environment_twin(database_url: str) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["--db", database_url, "policy", "set", "CO", "24"],
                         env={"EDI_POSTING_POLICY_ZERO_PAY": "contractual"})
    assert done.exit_code == 0, done.output
    assert "contractual on zero pay" in done.stderr
    listed = runner.invoke(main, ["--db", database_url, "policy", "list", "--format", "csv"])
    assert "(all payers),CO,24,contractual_adjustments,no,contractual," in listed.stdout
    assert "(default),CO,*,contractual_adjustments,no,denial," in listed.stdout
    shown = runner.invoke(main, ["policy", "set", "--help"])
    assert "--zero-pay" in shown.stdout and "EDI_POSTING_POLICY_ZERO_PAY" in shown.stdout
    assert "contractual on zero pay" in runner.invoke(main, ["policy", "--help"]).stdout
