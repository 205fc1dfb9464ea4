"""`edi-posting payment receive|post|list`: exact output and exit codes, then the database
through the API."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import CliRunner, Result

import edi_posting
from edi_posting.cli import main
from tests.test_payments_patient import bill_and_answer
from tests.test_queue_money import OFFICE_VISIT
from tests.x835 import Practice

Sessions = Callable[[str], edi_posting.Session]


def cli(practice: Practice, *args: str, actor: str = "pat") -> Result:
    url = practice.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--db", url, "--actor", actor, "payment", *args])


RECEIVE = ("receive", "--payer", "ACME01", "--amount", "80.00", "--reference", "00-12345",
           "--date", "2026-03-09")


def test_payment_receive_prints_the_payment_and_its_item(practice: Practice,
                                                         as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = cli(practice, *RECEIVE)
    assert (result.exit_code, result.stdout) == (0, (
        "payment 1: check 00-12345 of ACME HEALTH for 80.00 on 2026-03-09 received into "
        "unapplied cash; review item 1 holds it until its remittance arrives\n"))
    again = cli(practice, *RECEIVE[:-1], "2026-03-09", "--method", "check")
    assert again.exit_code == 3
    assert again.stderr == (
        "edi-posting: check 00-12345 of ACME HEALTH for 80.00 on 2026-03-09 was received "
        f"already (payment 1, by pat on {_today()}): nothing posted\n")
    [row] = edi_posting.payments_awaiting_deposit(as_user("pat"))
    assert (row["paid_by"], row["amount"], row["status"]) == ("payer", "80.00",
                                                              "awaiting_remittance")


def test_payment_receive_of_an_unknown_payer_exits_65(practice: Practice,
                                                      as_user: Sessions) -> None:
    result = cli(practice, "receive", "--payer", "NOBODY", "--amount", "1.00",
                 "--reference", "1")
    assert result.exit_code == 65
    assert result.stderr.startswith("edi-posting: no payer 'NOBODY'")


def test_payment_receive_refuses_a_bad_amount_with_exit_2(practice: Practice,
                                                          as_user: Sessions) -> None:
    result = cli(practice, "receive", "--payer", "ACME01", "--amount", "1.001",
                 "--reference", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("edi-posting: --amount: ")


def test_payment_post_prints_where_the_money_went(practice: Practice,
                                                  as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    result = cli(practice, "post", "--account", account, "--amount", "50.00", "--method",
                 "card", "--reference", "VISA-4242", "--date", "2026-03-12")
    assert (result.exit_code, result.stdout) == (0, (
        f"payment 1: patient payment card VISA-4242 of 50.00 on account {account} "
        "(2026-03-12): 30.00 to PCN2; 20.00 to PCN1; 4.00 left as a patient credit "
        "balance\n"))
    listed = cli(practice, "list", "--format", "json")
    assert listed.exit_code == 0
    assert [(r["account"], r["amount"], r["method"], r["reference"])
            for r in json.loads(listed.stdout)] == [(account, "50.00", "card", "VISA-4242")]
    table = cli(practice, "list")
    assert table.stdout.splitlines()[0].split() == [
        "payment_id", "date", "paid_by", "payer", "account", "amount", "method", "reference",
        "status", "deposit", "journal_entry_id"]


def test_payment_post_without_the_import_permission_exits_77(practice: Practice,
                                                            as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    result = cli(practice, "post", "--account", account, "--amount", "5.00", "--method",
                 "cash", "--reference", "R1", actor="sam")
    assert result.exit_code == 77


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


def test_claim_and_account_show_list_a_patient_payment_with_its_method_and_reference(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    cli(practice, "post", "--account", account, "--amount", "35.00", "--method", "online",
        "--reference", "WEB-77", "--date", "2026-03-12")
    url = practice.engine.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(main, ["--db", url, "--actor", "pat", "claim", "show", "PCN1"])
    assert shown.exit_code == 0, shown.output
    section = shown.stdout.split("\nPatient payments:\n", 1)[1].splitlines()
    assert section[0].split() == ["payment_id", "date", "method", "reference", "amount",
                                  "payment_total", "entry_id", "received_by"]
    assert section[1].split()[:6] == ["1", "2026-03-12", "online", "WEB-77", "5.00", "35.00"]
    detail = edi_posting.show_account(as_user("pat"), account)
    assert [(p["method"], p["reference"], p["amount"]) for p in detail["patient_payments"]] == [
        ("online", "WEB-77", "35.00")]


def test_payment_claim_rehearses_then_claims_a_check_by_hand(practice: Practice,
                                                             as_user: Sessions) -> None:
    from tests.test_payments_received import PAID_80
    from tests.x835 import remit

    practice.bill(("PCN1", OFFICE_VISIT))
    assert cli(practice, *RECEIVE).exit_code == 0
    practice.receive(remit("80", PAID_80, trace="EFT-9"))
    rehearsal = cli(practice, "claim", "1", "--remittance", "1", "--reason", "EFT", "--dry-run",
                    actor="sam")
    assert (rehearsal.exit_code, rehearsal.stdout) == (0, (
        "review item 1 (dry run, nothing written) would: claimed 80.00 of check 00-12345 by "
        "remittance 1 (TRN02 EFT-9): EFT\n"
        "  would post payment_claimed: unapplied_cash 80.00; cash_clearing -80.00\n"
        "  would leave review item 1 resolved at 0.00\n"))
    done = cli(practice, "claim", "1", "--remittance", "1", "--reason", "EFT", actor="sam")
    assert (done.exit_code, done.stdout) == (0, (
        "review item 1: claimed 80.00 of check 00-12345 by remittance 1 (TRN02 EFT-9): EFT\n"))
    again = cli(practice, "claim", "1", "--remittance", "1", "--reason", "EFT", actor="sam")
    assert (again.exit_code, again.stderr) == (65, ("edi-posting: review item 1 is resolved "
                                                   "already\n"))


def test_import_of_a_patient_payment_batch_with_bad_rows_names_them_and_exits_65(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    path = practice.directory / "desk.csv"
    path.write_text("date,account,claim,amount,method,reference\n"
                    f"2026-03-12,{account},,20.00,cash,R-1\n"
                    f"2026-03-12,{account},,5.001,cash,R-2\n"
                    f"12/03/2026,{account},,5.00,barter,R-3\n")
    url = practice.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", url, "--actor", "pat", "import", str(path)])
    assert result.exit_code == 65
    assert result.stdout.splitlines()[1].split()[:3] == ["desk.csv", "patient_payments",
                                                         "rejected"]
    assert result.stderr.splitlines()[-4:] == [
        ("ERROR PAYMENT_ROW_INVALID: desk.csv: row 3, column amount: more than two decimals: "
        "'5.001'"),
        ("ERROR PAYMENT_ROW_INVALID: desk.csv: row 4, column date: '12/03/2026' is not a date "
        "(YYYY-MM-DD)"),
        ("ERROR PAYMENT_ROW_INVALID: desk.csv: row 4, column method: 'barter' is not one of "
        "cash, check, card, online"),
        "edi-posting: 1 file(s) rejected in whole or in part"]
    assert edi_posting.payments_awaiting_deposit(as_user("pat")) == []
