"""`queue show` says what each action would post (issue 23, "Finish every kind of case": "For
`orphan_reversal` and `awaiting_correction`, the show says what the specialist can do and
what each action will post").  Every action that can run without a further choice is
rehearsed in a transaction that is rolled back; the show prints its entries under the
command, and an action needing a choice the show cannot make says what it needs.  Nothing
is written: no entry, no item event, no audit event beyond the read's own."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.base import Base
from edi_posting.db.models import AuditEvent
from tests.test_queue_money import item_id
from tests.test_validation import BODY
from tests.test_validation import remit as validated_remit
from tests.x12build import write_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)


def _show(practice: Practice, ident: int, *args: str) -> Any:
    url = practice.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--db", url, "queue", "show", str(ident), *args])


def _finish_section(practice: Practice, ident: int) -> list[str]:
    """The "to finish it" section of the text view, up to the blank line after it."""
    result = _show(practice, ident)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("to finish it:")
    return lines[start:lines.index("", start)]


def _orphan(practice: Practice) -> int:
    """A reversal of PCN1 whose original never came (its correction, paid 60.00, did)."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("-20",
                           clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                               svc("99213", "-100", "-80", "CO*45*-20")),
                           clp("PCN1", "1", "100", "60", "0", "ICN1",
                               svc("99213", "100", "60", "CO*45*40"))))
    return item_id(practice, "orphan_reversal")


def _awaiting_with_waiting_correction(practice: Practice) -> tuple[int, int]:
    """PCN1 paid 80.00, reversed, and corrected at 70.00 under the same payer claim number
    (ICN1) but a PCN and patient the payer changed: the correction waits as an unmatched
    payment."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-80", clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                                      svc("99213", "-100", "-80", "CO*45*-20")), trace="EFT2"))
    practice.receive(remit("70", "CLP*PCN1-CORRECTED*1*100*70*0*12*ICN1*11*1~\n"
                                 "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n"
                           + svc("99213", "100", "70", "CO*45*30"), trace="EFT3"))
    return item_id(practice, "awaiting_correction"), item_id(practice, "unmatched_payment")


def _counts(practice: Practice) -> dict[str, int]:
    with practice.engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables}


def test_an_orphan_reversal_shows_what_applying_it_would_post(practice: Practice) -> None:
    ident = _orphan(practice)
    assert _finish_section(practice, ident) == [
        "to finish it:",
        (f"  edi-posting queue apply {ident} --claim PCN1                        "
         "# take the reversal off PCN1: its balance is owed again"),
        "      would post apply: unapplied_cash -80.00; insurance_ar 80.00",
        f"      would leave review item {ident} resolved at 0.00",
        "      would open an awaiting_correction review item (-80.00)",
        (f"  edi-posting queue note {ident} 'waiting for the payer, called ...'  "
         "# wait for the correction with a note"),
        "      posts nothing",
        (f"  edi-posting queue escalate {ident} --to lead --note WHY             "
         "# hand it to a lead, saying why"),
        "      posts nothing"]


def test_awaiting_correction_shows_what_linking_the_waiting_correction_would_post(
        practice: Practice) -> None:
    ident, waiting = _awaiting_with_waiting_correction(practice)
    correction = _case(practice, ident)["reversal"]["corrections"][0]["claim_payment_id"]
    link = f"edi-posting queue link-correction {ident} --claim-payment {correction}"
    write_off = f"edi-posting queue write-off {ident} --reason CODE --note WHY"
    note = f"edi-posting queue note {ident} 'waiting for the payer, called ...'"
    dismiss = f"edi-posting queue dismiss {ident} --reason WHY"
    escalate = f"edi-posting queue escalate {ident} --to lead --note WHY"
    width = len(note)
    assert _finish_section(practice, ident) == [
        "to finish it:",
        f"  {link.ljust(width)}  # link the correction of 70.00 (835 EFT3) to PCN1",
        ("      would post link_correction: unapplied_cash 70.00; contractual_adjustments "
         "30.00; insurance_ar -100.00"),
        f"      would leave review item {ident} resolved at 0.00",
        f"  {write_off.ljust(width)}  # write the reopened balance off (the item closes when it is settled)",
        "      would post write_off: other_adjustments 100.00; insurance_ar -100.00",
        f"      would leave review item {ident} resolved at 0.00",
        f"  {note.ljust(width)}  # wait for the correction with a note",
        "      posts nothing",
        f"  {dismiss.ljust(width)}  # close it once no correction will come (it holds no cash)",
        "      posts nothing",
        f"  {escalate.ljust(width)}  # hand it to a lead, saying why",
        "      posts nothing"]
    assert waiting != ident


def _case(practice: Practice, ident: int) -> dict[str, Any]:
    detail = edi_posting.show_queue_item(edi_posting.Session(practice.engine), ident)
    return detail["case"]  # type: ignore[no-any-return]


def test_the_json_case_carries_each_actions_entries_and_what_a_choice_needs(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    ident = item_id(practice, "unmatched_payment")
    result = _show(practice, ident, "--format", "json")
    assert result.exit_code == 0, result.output
    actions = {a["command"]: a for a in json.loads(result.stdout)["case"]["actions"]}
    apply = actions[f"edi-posting queue apply {ident} --claim PCN1"]
    assert set(apply) == {"command", "does", "would", "entries", "item_after", "opens",
                          "needs", "refused"}
    assert apply["entries"][0]["kind"] == "apply"
    assert sum(int(line["amount"].replace(".", "")) for line in apply["entries"][0]["lines"]) == 0
    assert {line["account"] for line in apply["entries"][0]["lines"]} >= {"unapplied_cash",
                                                                          "insurance_ar"}
    assert apply["item_after"] == {"status": "resolved", "amount": "0.00"}
    assert apply["needs"] is None and apply["refused"] is None
    returned = actions[f"edi-posting queue return {ident} --reason WHY --dry-run"]
    assert returned["entries"] == [{"kind": "return", "reverses_entry_id": None, "lines": [
        {"account": "unapplied_cash", "amount": "80.00"},
        {"account": "cash_clearing", "amount": "-80.00"}]}]
    escalate = actions[f"edi-posting queue escalate {ident} --to lead --note WHY"]
    assert (escalate["entries"], escalate["would"]) == ([], ["posts nothing"])


def test_an_action_needing_a_claim_says_so_instead_of_a_preview(practice: Practice) -> None:
    practice.receive(remit("80", clp("NOBODY", "1", "100", "80", "0", "PAYER77",
                                     svc("99213", "100", "80", "CO*45*20"))))
    ident = item_id(practice, "unmatched_payment")
    [apply] = [a for a in _case(practice, ident)["actions"]
               if a["command"] == f"edi-posting queue apply {ident} --claim PCN"]
    assert apply["needs"] == "which claim: its PCN (--claim PCN)"
    assert apply["would"] == ["needs which claim: its PCN (--claim PCN)"]
    assert apply["entries"] == [] and apply["item_after"] is None


def test_queue_show_writes_nothing_but_its_read_audit(practice: Practice) -> None:
    ident, _ = _awaiting_with_waiting_correction(practice)
    before = _counts(practice)
    assert _show(practice, ident).exit_code == 0
    after = _counts(practice)
    with practice.engine.connect() as conn:
        last = conn.execute(select(AuditEvent.action).order_by(AuditEvent.sequence.desc())).first()
    assert last is not None and last.action == "queue.show"
    changed = {name: (before[name], after[name]) for name in before
               if before[name] != after[name]}
    assert changed == {"audit_events": (before["audit_events"], before["audit_events"] + 1)}


def test_a_user_who_cannot_resolve_sees_the_actions_without_previews(
        practice: Practice, as_user: Any) -> None:
    ident = _orphan(practice)
    auditor = edi_posting.show_queue_item(as_user("aud"), ident)["case"]["actions"]
    specialist = edi_posting.show_queue_item(as_user("sam"), ident)["case"]["actions"]
    assert [a["command"] for a in auditor] == [a["command"] for a in specialist]
    assert auditor[0]["entries"] == [] and auditor[0]["would"] == []
    assert specialist[0]["entries"][0]["kind"] == "apply"


def test_no_listed_action_of_a_duplicate_payment_is_refused(practice: Practice) -> None:
    """A held duplicate payment cannot be rematched (rematch refuses it, saying to accept
    it with --confirm or wait for the payer to take the cash back): the show must not
    offer it, and says how to wait instead."""
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    practice.receive(remit("80", paid, trace="EFT1", date="20260310"))
    practice.receive(remit("80", paid, trace="EFT2", date="20260317"))
    ident = item_id(practice, "unmatched_payment")
    actions = _case(practice, ident)["actions"]
    assert [a["refused"] for a in actions] == [None] * len(actions)
    assert [a["command"] for a in actions] == [
        f"edi-posting queue apply {ident} --claim PCN1 --confirm",
        f"edi-posting queue note {ident} 'waiting for the payer to take it back, called ...'",
        f"edi-posting queue return {ident} --reason WHY --dry-run",
        f"edi-posting queue escalate {ident} --to lead --note WHY"]


def test_an_awaiting_correction_can_be_finished_with_the_commands_its_show_lists(
        practice: Practice, as_user: Any) -> None:
    """No correction will come: the show's write-off settles the reopened balance, and
    settling it closes the item (the show still offers dismiss, for an item nobody works)."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-80", clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                                      svc("99213", "-100", "-80", "CO*45*-20")), trace="EFT2"))
    ident = item_id(practice, "awaiting_correction")
    sam = as_user("sam")
    commands = [a["command"] for a in edi_posting.show_queue_item(sam, ident)["case"]["actions"]]
    assert f"edi-posting queue dismiss {ident} --reason WHY" in commands
    edi_posting.write_off(sam, ident, "payer-error", note="no correction will come")
    assert edi_posting.show_queue_item(sam, ident)["status"] == "resolved"


def test_an_action_that_would_wait_for_approval_says_so_in_its_preview(
        practice: Practice, as_user: Any) -> None:
    """A refund above the refund limit posts nothing and waits for a second person: the
    preview must say that, not only "would post nothing"."""
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    practice.receive(remit("80", paid, trace="EFT1"))
    practice.receive(remit("80", paid, trace="EFT2"))
    sam = as_user("sam")
    edi_posting.apply_cash(sam, item_id(practice, "unmatched_payment"), "PCN1", confirm=True)
    ident = item_id(practice, "credit_balance")
    [refund] = [a for a in edi_posting.show_queue_item(sam, ident)["case"]["actions"]
                if a["command"] == f"edi-posting queue refund {ident} --reason WHY"]
    assert refund["would"][0].startswith("would post nothing: refund of 80.00 waits for "
                                         "approval ")
    assert refund["would"][0].endswith(" (above the refund limit 0.00)")
    assert refund["would"][1] == f"would leave review item {ident} open at 80.00"
    assert refund["entries"] == []


def test_an_item_closed_by_its_correction_offers_no_undo_it_would_refuse(
        practice: Practice) -> None:
    """An awaiting_correction resolved on import by its correction had no money action:
    offering `queue undo` (refused: nothing to undo) would send the specialist nowhere."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-80", clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                                      svc("99213", "-100", "-80", "CO*45*-20")), trace="EFT2"))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1",
                                     svc("99213", "100", "70", "CO*45*30")), trace="EFT3"))
    ident = item_id(practice, "awaiting_correction")
    detail = edi_posting.show_queue_item(edi_posting.Session(practice.engine), ident)
    assert detail["status"] == "resolved"
    assert detail["case"]["actions"] == []
    result = _show(practice, ident)
    assert "to finish it:" not in result.stdout.splitlines()


def test_an_item_closed_by_a_money_action_offers_its_undo_with_the_entry_it_would_post(
        practice: Practice) -> None:
    ident = _orphan(practice)
    edi_posting.apply_cash(edi_posting.Session(practice.engine), ident, "PCN1")
    [undo] = _case(practice, ident)["actions"]
    assert undo["command"] == f"edi-posting queue undo {ident} --reason WHY"
    [entry] = undo["entries"]
    assert entry["kind"] == "undo" and entry["reverses_entry_id"] is not None
    assert undo["item_after"] == {"status": "open", "amount": "-80.00"}


def test_a_preview_that_closes_the_item_does_not_say_it_leaves_money_on_it(
        practice: Practice) -> None:
    """A refund resolves its credit_balance item: "would leave review item N resolved at
    80.00" read as 80.00 still owed; closed, it owns 0.00."""
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    practice.receive(remit("80", paid, trace="EFT1"))
    practice.receive(remit("80", paid, trace="EFT2"))
    session = edi_posting.Session(practice.engine)
    edi_posting.apply_cash(session, item_id(practice, "unmatched_payment"), "PCN1", confirm=True)
    ident = item_id(practice, "credit_balance")
    [refund] = [a for a in _case(practice, ident)["actions"]
                if a["command"] == f"edi-posting queue refund {ident} --reason WHY"]
    assert refund["would"] == ["would post refund: insurance_ar 80.00; refunds_payable -80.00",
                               f"would leave review item {ident} resolved at 0.00"]


def test_a_set_rejected_by_validation_offers_accept_set_with_what_it_would_post(
        practice: Practice, tmp_path: Path) -> None:
    """The action that finishes a validation-rejected set is `queue accept-set` (an
    admin's): the show offered only dismiss, which loses the set's money."""
    practice.bill(("PCN1", OFFICE_VISIT))
    bad = BODY.replace("20260105~", "20261350~").replace("EFT1", "EFT2")
    path = write_x12(tmp_path, validated_remit(bad), "bad.835")
    practice.options = replace(practice.options, validate=True)
    practice.import_text(path.read_text(), "bad.835")
    ident = item_id(practice, "rejected_file")
    actions = {a["command"]: a for a in _case(practice, ident)["actions"]}
    accept = actions[f"edi-posting queue accept-set {ident} --reason WHY --dry-run"]
    assert accept["does"] == ("post the set from the archived file after review (an admin: "
                              "administer)")
    assert accept["refused"] is None and accept["entries"]
    assert accept["item_after"]["status"] == "resolved"
    assert f"edi-posting queue dismiss {ident} --reason WHY" in actions


def test_the_awaiting_correction_an_applied_orphan_opens_names_its_clp07_and_cause(
        practice: Practice) -> None:
    """Applying an orphan reversal opens an awaiting_correction naming no claim payment: its
    show said "payer claim number (CLP07): -" and "original: none found (apply from review
    item N)", as if the apply were why no original was found."""
    orphan = _orphan(practice)
    edi_posting.apply_cash(edi_posting.Session(practice.engine), orphan, "PCN1")
    ident = item_id(practice, "awaiting_correction")
    lines = _show(practice, ident).stdout.splitlines()
    i = lines.index("reversal:")
    assert lines[i + 1:i + 3] == [
        "  payer claim number (CLP07): ICN1",
        f"  original: none found (the balance was reopened by apply from review item {orphan})"]


def test_a_held_set_offers_applying_its_cash_not_a_post_as_sent_it_would_refuse(
        practice: Practice) -> None:
    """BPR02 says 90.00, its claims 80.00: the whole set is held.  post-as-sent is for a
    claim that failed balancing (refused here), and the apply that finishes a held set
    (test_every_kind_closes) was not offered at all."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("90", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    ident = item_id(practice, "balancing_failure")
    actions = _case(practice, ident)["actions"]
    assert [a["refused"] for a in actions] == [None] * len(actions)
    [apply] = [a for a in actions if a["command"].startswith(f"edi-posting queue apply {ident} ")]
    assert apply["command"] == f"edi-posting queue apply {ident} --claim PCN"
    assert apply["needs"] == "which claim: its PCN (--claim PCN)"


def test_an_awaiting_correction_with_no_candidate_says_how_to_link_one(
        practice: Practice) -> None:
    """A correction under another CLP07 and patient is no candidate the show can find; the
    show must still offer link-correction, saying it needs the correction's claim payment
    id, and an unmatched payment's show must print that id for it."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-80", clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                                      svc("99213", "-100", "-80", "CO*45*-20")), trace="EFT2"))
    practice.receive(remit("70", "CLP*NEWPCN*1*100*70*0*12*ICN9*11*1~\n"
                                 "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n"
                           + svc("99213", "100", "70", "CO*45*30"), trace="EFT3"))
    ident = item_id(practice, "awaiting_correction")
    [link] = [a for a in _case(practice, ident)["actions"]
              if a["command"].startswith(f"edi-posting queue link-correction {ident} ")]
    assert link["command"] == f"edi-posting queue link-correction {ident} --claim-payment N"
    assert link["needs"] == ("which correction: its claim payment id (queue show of the "
                             "payment waiting as unmatched_payment prints it)")
    waiting = item_id(practice, "unmatched_payment")
    payment = _case(practice, waiting)["payment"]["claim_payment_id"]
    lines = _show(practice, waiting).stdout.splitlines()
    assert f"payment (the 835 as sent): claim payment {payment}" in lines
