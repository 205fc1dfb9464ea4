"""Ledger checks through the public API (read_ledger), and the policy that posts CARCs."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, pay, refusals, staffed


def test_the_ledger_checks_out_after_a_day_and_its_digest_is_stable(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7201"),
                                                pay(tmp_path, "PCN-7201")])
        check = edi_posting.check_ledger(staff["aud"])
        digest = edi_posting.ledger_digest(staff["aud"])
        assert edi_posting.ledger_digest(staff["pat"]) == digest
        assert edi_posting.forwarding_balances(staff["aud"]) == []
    assert check.ok and check.checks > 0 and len(digest) == 64


def test_a_policy_is_set_listed_and_removed_by_an_admin_only(database_url: str) -> None:
    with staffed(database_url) as staff:
        saved = edi_posting.set_policy(staff["ada"], "co", "24", "contractual",
                                       zero_pay_contractual=True)
        listed = [r for r in edi_posting.list_policies(staff["pat"]) if r["reason"] == "24"]
        with pytest.raises(edi_posting.PermissionDeniedError):
            edi_posting.set_policy(staff["sam"], "CO", "45", "other")
        with pytest.raises(edi_posting.PolicyError, match="group 'XX'"):
            edi_posting.set_policy(staff["ada"], "XX", "1")
        removed = edi_posting.remove_policy(staff["ada"], "CO", "24")
        assert edi_posting.remove_policy(staff["ada"], "CO", "24") is None
        changes = [e["action"] for e in edi_posting.audit_log(staff["aud"], action="policy.*")
                   if e["outcome"] == "ok"]
        assert [e["actor"] for e in refusals(staff["aud"], "policy.set")] == ["sam"]
    assert (saved["group"], saved["reason"], saved["action"]) == ("CO", "24", "contractual")
    assert [(r["account"], r["zero_pay"]) for r in listed] == [
        ("contractual_adjustments", "contractual")]
    assert removed is not None and removed["reason"] == "24"
    assert changes == ["policy.set", "policy.remove"]
