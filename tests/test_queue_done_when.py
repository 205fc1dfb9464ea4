"""Issue 8's "done when", as a new user would try it after `edi-posting demo`: list the
open items, apply an unapplied payment to the right claim, refund a credit balance,
escalate a denial with a packet, and see all of it in `history claim`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)


def _run(db: str, actor: str, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--db", db, "--actor", actor, *args])
    assert result.exit_code == 0, (args, result.output)
    return result


def _item(items: list[dict[str, Any]], kind: str, pcn: str) -> int:
    return next(i["id"] for i in items if i["kind"] == kind and i["patient_control_number"] == pcn)


def _history(db: str, pcn: str) -> list[tuple[str, str]]:
    rows = json.loads(_run(db, "sam", "history", "claim", pcn, "--format", "json").stdout)
    return [(r["what"], r["amount"]) for r in rows]


def test_done_when_walk_through_after_the_demo(database_url: str, tmp_path: Path) -> None:
    db = database_url
    _run(db, "ada", "users", "add", "ada", "--role", "admin")
    _run(db, "ada", "users", "add", "sam", "--role", "specialist")
    _run(db, "ada", "demo")
    items = json.loads(_run(db, "sam", "queue", "list", "--format", "json").stdout)
    assert len(items) == 9

    held = _item(items, "balancing_failure", "A30589C0000015")  # its 161.38 waits unapplied
    applied = _run(db, "sam", "queue", "apply", str(held), "--claim", "A30589C0000015")
    assert applied.stdout == (f"review item {held}: applied 161.38 to claim A30589C0000015; "
                              "0.00 left unapplied; its adjustments are not posted: the item "
                              "stays open for `queue post-as-sent`\n")
    # the cash alone leaves the 835's CO/PR unposted: the item owns them until posted as sent
    _run(db, "sam", "queue", "post-as-sent", str(held), "--reason", "payer confirmed by phone")

    # paid twice, never recouped: import held the second payment; its cash alone is accepted
    duplicate = _item(items, "unmatched_payment", "A75170C0000007")
    accepted = _run(db, "sam", "queue", "accept-match", str(duplicate), "--confirm")
    assert accepted.stdout == (f"review item {duplicate}: applied 113.00 to claim "
                               "A75170C0000007 (lines posted by the posting rules); 0.00 left "
                               "unapplied\n")
    after = json.loads(_run(db, "sam", "queue", "list", "--format", "json").stdout)
    credit = _item(after, "credit_balance", "A75170C0000007")
    asked = _run(db, "sam", "queue", "refund", str(credit), "--reason", "paid twice")
    assert asked.stdout == (f"review item {credit}: refund of 113.00 waits for approval 1 "
                            "(above the refund limit 0.00)\n")
    refunded = _run(db, "ada", "queue", "approve", "1")  # a second person
    assert refunded.stdout == (f"review item {credit}: refund 1 of 113.00 to ACME HEALTH PLAN "
                               "approved (paid twice); approved by ada (approval 1, requested "
                               "by sam)\n")

    denial = _item(items, "denial", "A78460C0000022")
    _run(db, "sam", "queue", "escalate", str(denial), "--to", "ada",
         "--note", "CO-16: payer wants the referral; appeal")
    packet = tmp_path / "denial.zip"
    _run(db, "sam", "queue", "packet", str(denial), "-o", str(packet))
    with zipfile.ZipFile(packet) as archive:
        content = json.loads(archive.read("packet.json"))
    assert content["item"]["status"] == "escalated"
    assert any(s["segment"].startswith("CLP*A78460C0000022*4*")
               for s in content["remittance"]["segments"])

    assert ("apply", "161.38") in _history(db, "A30589C0000015")
    # (history orders by the second: what happened within one second keeps no finer order)
    assert "review balancing_failure apply" in [w for w, _ in _history(db, "A30589C0000015")]
    refund_story = _history(db, "A75170C0000007")
    assert ("refund", "113.00") in refund_story
    assert {"review credit_balance refund", "review credit_balance auto_resolved"} <= {
        w for w, _ in refund_story}
    denial_story = [w for w, _ in _history(db, "A78460C0000022")]
    assert {"review denial escalate", "review denial packet"} <= set(denial_story)

    left = json.loads(_run(db, "sam", "queue", "list", "--format", "json").stdout)
    assert {i["id"] for i in items} - {i["id"] for i in left} == {held, duplicate}
    assert credit not in {i["id"] for i in left}
    assert _run(db, "sam", "ledger", "check").exit_code == 0
    engine = make_engine(db)
    with engine.connect() as conn:
        assert queue_unapplied_cents(conn) == ledger_unapplied_cents(conn) == 2053
        assert credit_mismatches(conn) == []
    engine.dispose()
