"""Matching rules, pure: claim payments against billed claims held by a fake lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from edi_posting.matching.claims import SAFE_FALLBACK_SCORE, match_claim, match_claims
from edi_posting.matching.lines import CandidateLine, LineMatchMethod, LinePaymentFacts, match_lines
from edi_posting.matching.records import ClaimCandidate, MatchField, PaymentFacts
from edi_posting.records.states import MatchMethod

FEB20 = dt.date(2026, 2, 20)
FEB27 = dt.date(2026, 2, 27)


@dataclass
class FakeLookup:
    """Returns claims of every status, as a careless implementation might: matching must
    filter on its own."""

    claims: list[ClaimCandidate]
    calls: list[str] = field(default_factory=list)

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        self.calls.append("by_pcns")
        found = {p: [c for c in self.claims if c.pcn_normalized == p] for p in pcns}
        return {p: claims for p, claims in found.items() if claims}

    def by_pcn_prefix(self, prefix: str) -> list[ClaimCandidate]:
        self.calls.append("by_pcn_prefix")
        return [c for c in self.claims if c.pcn_normalized.startswith(prefix)]

    def by_pcn_prefixes(self, prefixes: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        self.calls.append("by_pcn_prefixes")
        found = {p: [c for c in self.claims if c.pcn_normalized.startswith(p)] for p in prefixes}
        return {p: claims for p, claims in found.items() if claims}

    def by_member_or_name(
        self, member_ids: Sequence[str], last_name: str | None,
        dates: tuple[dt.date, dt.date] | None, first_name: str | None = None,
    ) -> list[ClaimCandidate]:
        self.calls.append("by_member_or_name")
        return [c for c in self.claims
                if set(member_ids) & set(c.member_ids) or c.patient_last_name == last_name
                and (not first_name or c.patient_first_name == first_name)]


def bline(line_id: int, code: str, charge: int, *mods: str, dos: dt.date = FEB20,
          ctl: str | None = None) -> CandidateLine:
    return CandidateLine(line_id, line_id, code, mods, charge, "1", dos, dos, ctl, "HC")


def billed(claim_id: int, pcn: str, *lines: CandidateLine, status: str = "active",
           charge: int | None = None, payer: int | None = 1, member: str = "ZQM000111",
           last: str = "ZQCANARY", first: str = "ALBA", dos: dt.date = FEB20) -> ClaimCandidate:
    total = charge if charge is not None else sum(line.charge_cents for line in lines)
    return ClaimCandidate(claim_id, pcn, pcn.strip().upper(), total, status, payer, 7, last,
                          first, dt.date(1980, 1, 15), (member,), dos, dos, lines)


def pline(ordinal: int, code: str, charge: int, *mods: str, dos: dt.date | None = FEB20,
          ctl: str | None = None, original: tuple[str, ...] = ()) -> LinePaymentFacts:
    return LinePaymentFacts(
        ordinal, "HC", code, mods, "HC" if original else None,
        original[0] if original else None, original[1:], charge, charge, dos, dos, ctl, "1",
    )


def paid(pcn: str, charge: int, *lines: LinePaymentFacts, icn: str = "ICN1",
         member: str | None = "ZQM000111", last: str | None = "ZQCANARY",
         first: str | None = "ALBA", payer: int | None = 1, dos: dt.date | None = FEB20,
         status: str = "1") -> PaymentFacts:
    return PaymentFacts(pcn, status, charge, charge, icn, payer, last, first, member, None,
                        dos, dos, lines)


# --- claims by PCN ----------------------------------------------------------------------


def test_exact_pcn_matches_the_claim_safely() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000), billed(2, "PCN2", charge=10000)])
    match = match_claim(paid("PCN1", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (1, MatchMethod.PCN, True)
    assert MatchField.PCN in match.candidates[0].agreed
    assert lookup.calls == ["by_pcns"]


def test_pcn_is_compared_trimmed_and_upper_cased() -> None:
    match = match_claim(paid("  pcn-1a ", 10000), FakeLookup([billed(1, "PCN-1A", charge=10000)]))
    assert (match.claim_id, match.method, match.is_safe) == (1, MatchMethod.PCN, True)


def test_payer_truncated_pcn_of_one_active_claim_is_a_safe_match() -> None:
    lookup = FakeLookup([billed(1, "ACCT12345-77", charge=10000),
                         billed(2, "ACCT99999-01", charge=10000)])
    match = match_claim(paid("ACCT12345", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (1, MatchMethod.TRUNCATED_PCN, True)
    assert match.candidates[0].agreed[0] is MatchField.TRUNCATED_PCN


def test_payer_truncated_pcn_of_two_claims_is_ambiguous_with_both_candidates() -> None:
    lookup = FakeLookup([billed(1, "ACCT12345-77", charge=10000),
                         billed(2, "ACCT12345-78", charge=10000)])
    match = match_claim(paid("ACCT12345", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (None, MatchMethod.AMBIGUOUS, False)
    assert sorted(c.claim_id for c in match.candidates) == [1, 2]


def test_truncated_pcns_of_a_transaction_set_are_looked_up_together() -> None:
    lookup = FakeLookup([billed(1, "ACCT12345-77", charge=10000),
                         billed(2, "ACCT67890-01", charge=10000)])
    matches = match_claims([paid("ACCT12345", 10000), paid("ACCT67890", 10000),
                            paid("ACCT12345-77", 10000), paid("ACCT12345", 10000)], lookup)
    assert [(m.claim_id, m.method) for m in matches] == [
        (1, MatchMethod.TRUNCATED_PCN), (2, MatchMethod.TRUNCATED_PCN), (1, MatchMethod.PCN),
        (1, MatchMethod.TRUNCATED_PCN)]
    assert lookup.calls == ["by_pcns", "by_pcn_prefixes"]


def test_truncated_pcn_shorter_than_six_characters_is_not_trusted() -> None:
    lookup = FakeLookup([billed(1, "AB123-77", charge=10000, member="OTHER", last="OTHER")])
    match = match_claim(paid("AB123", 10000), lookup)
    assert (match.claim_id, match.method) == (None, MatchMethod.NONE)
    assert "by_pcn_prefix" not in lookup.calls


def test_replaced_claim_is_never_matched_its_active_replacement_is() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000, status="replaced"),
                         billed(2, "PCN1", charge=15000)])
    match = match_claim(paid("PCN1", 10000), lookup)  # charge of the replaced one: still not it
    assert (match.claim_id, match.method, match.is_safe) == (2, MatchMethod.PCN, True)


def test_pcn_naming_only_replaced_and_voided_claims_matches_nothing_but_shows_them() -> None:
    lookup = FakeLookup([billed(1, "PCN1", status="replaced", member="X", last="X"),
                         billed(2, "PCN1", status="voided", member="X", last="X")])
    match = match_claim(paid("PCN1", 10000), lookup)
    assert (match.claim_id, match.is_safe) == (None, False)
    assert sorted(c.claim_id for c in match.candidates) == [1, 2]
    assert "claim is replaced: never matched" in match.candidates[0].reasons + match.candidates[1].reasons


def test_active_submissions_sharing_a_pcn_are_told_apart_by_charge_then_payer() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000, payer=1),
                         billed(2, "PCN1", charge=20000, payer=1),
                         billed(3, "PCN1", charge=20000, payer=2)])
    assert match_claim(paid("PCN1", 10000), lookup).claim_id == 1
    assert match_claim(paid("PCN1", 20000, payer=2), lookup).claim_id == 3


def test_active_submissions_sharing_a_pcn_and_nothing_else_are_ambiguous() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000), billed(2, "PCN1", charge=10000)])
    match = match_claim(paid("PCN1", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (None, MatchMethod.AMBIGUOUS, False)
    assert [c.claim_id for c in match.candidates] == [1, 2]


def test_held_claim_is_matched_but_never_safe() -> None:
    match = match_claim(paid("PCN1", 10000), FakeLookup([billed(1, "PCN1", status="held")]))
    assert (match.claim_id, match.method, match.is_safe) == (1, MatchMethod.PCN, False)
    assert "held at intake" in match.reason


def test_split_claim_payments_each_match_the_same_claim() -> None:
    claim = billed(1, "PCN1", bline(11, "99213", 10000), bline(12, "85025", 2550))
    lookup = FakeLookup([claim])
    first = paid("PCN1", 10000, pline(1, "99213", 10000), icn="ICN-A")
    second = paid("PCN1", 2550, pline(1, "85025", 2550), icn="ICN-B")
    matches = match_claims([first, second], lookup)
    assert [(m.claim_id, m.method) for m in matches] == [(1, MatchMethod.PCN)] * 2
    assert [m.lines.line_id_for(1) for m in matches if m.lines] == [11, 12]


def test_matching_a_transaction_set_looks_its_pcns_up_once() -> None:
    lookup = FakeLookup([billed(i, f"PCN{i}", charge=100) for i in range(1, 50)])
    matches = match_claims([paid(f"PCN{i}", 100) for i in range(1, 50)], lookup)
    assert all(m.is_safe for m in matches) and lookup.calls == ["by_pcns"]


# --- the scored fallback ----------------------------------------------------------------


def test_strong_fallback_on_member_name_dates_and_charge_is_safe() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000),
                         billed(2, "PCN2", charge=9000, dos=FEB27)])
    match = match_claim(paid("UNKNOWN-PCN", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (1, MatchMethod.FALLBACK, True)
    assert match.candidates[0].score == 100
    assert match.candidates[0].score - match.candidates[1].score >= 15


def test_weak_fallback_is_not_safe_and_says_what_agreed_and_what_did_not() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000, member="ZQM999", payer=2)])
    match = match_claim(paid("UNKNOWN-PCN", 12000), lookup)  # a namesake, same day
    assert (match.claim_id, match.method, match.is_safe) == (None, MatchMethod.NONE, False)
    best = match.candidates[0]
    assert best.score < SAFE_FALLBACK_SCORE
    assert set(best.agreed) == {MatchField.LAST_NAME, MatchField.FIRST_NAME,
                                MatchField.SERVICE_DATES}
    assert set(best.disagreed) == {MatchField.MEMBER_ID, MatchField.TOTAL_CHARGE,
                                   MatchField.PAYER}
    assert "last name agrees" in best.reasons and "member ID differs" in best.reasons
    assert "total charge differs: paid claim 12000 cents, billed 10000 cents" in best.reasons
    assert "member ID not agreeing" in match.reason


def test_fallback_without_agreeing_dates_is_never_safe_whatever_the_score() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000, dos=FEB27)])
    match = match_claim(paid("UNKNOWN-PCN", 10000), lookup)
    assert match.candidates[0].score == 80
    assert (match.claim_id, match.is_safe) == (None, False)
    assert "service dates not agreeing" in match.reason


def test_two_close_fallback_candidates_are_ambiguous_with_both_ranked() -> None:
    lookup = FakeLookup([billed(1, "PCN1", charge=10000), billed(2, "PCN2", charge=10000)])
    match = match_claim(paid("UNKNOWN-PCN", 10000), lookup)
    assert (match.claim_id, match.method, match.is_safe) == (None, MatchMethod.AMBIGUOUS, False)
    assert [(c.claim_id, c.score) for c in match.candidates] == [(1, 100), (2, 100)]


def test_payment_with_unknown_pcn_and_no_one_to_search_for_matches_nothing() -> None:
    match = match_claim(paid("NOPE", 100, member=None, last=None, first=None), FakeLookup([]))
    assert (match.claim_id, match.method, match.candidates) == (None, MatchMethod.NONE, ())


# --- lines ------------------------------------------------------------------------------


def _methods(payment_lines: Sequence[LinePaymentFacts],
             billed_lines: Sequence[CandidateLine]) -> list[tuple[int | None, LineMatchMethod]]:
    return [(m.line_id, m.method) for m in match_lines(payment_lines, billed_lines).matches]


def test_line_matches_by_line_item_control_number_even_when_recoded_and_repriced() -> None:
    billed_lines = [bline(11, "99214", 15000, ctl="PCN1-1"), bline(12, "99213", 10000, ctl="PCN1-2")]
    assert _methods([pline(1, "99213", 15000, ctl="pcn1-1")], billed_lines) == [
        (11, LineMatchMethod.LINE_CONTROL_NUMBER)]


def test_line_matches_by_code_modifiers_date_and_charge() -> None:
    billed_lines = [bline(11, "99213", 10000, "59"), bline(12, "99213", 10000, "25", "QW"),
                    bline(13, "99213", 10000, "25", "QW", dos=FEB27)]
    assert _methods([pline(1, "99213", 10000, "QW", "25")], billed_lines) == [
        (12, LineMatchMethod.CODE_MODIFIERS_DATE_CHARGE)]


def test_line_with_a_dropped_modifier_matches_modifier_insensitively() -> None:
    billed_lines = [bline(11, "85025", 2550, "QW"), bline(12, "85025", 3000)]
    assert _methods([pline(1, "85025", 2550)], billed_lines) == [
        (11, LineMatchMethod.CODE_DATE_CHARGE)]


def test_exact_rule_runs_for_every_line_before_the_modifier_insensitive_one() -> None:
    billed_lines = [bline(11, "99213", 10000, "59"), bline(12, "99213", 10000, "25")]
    assert _methods([pline(1, "99213", 10000), pline(2, "99213", 10000, "59")], billed_lines) == [
        (12, LineMatchMethod.CODE_DATE_CHARGE), (11, LineMatchMethod.CODE_MODIFIERS_DATE_CHARGE)]


def test_recoded_line_matches_on_the_originally_submitted_procedure() -> None:
    billed_lines = [bline(11, "99215", 20000, "25"), bline(12, "99214", 15000)]
    recoded = pline(1, "99213", 20000, original=("99215", "25"))
    recoded_without_mods = pline(2, "99212", 15000, "GT", original=("99214", "GT"))
    assert _methods([recoded, recoded_without_mods], billed_lines) == [
        (11, LineMatchMethod.ORIGINAL_CODE_MODIFIERS_DATE_CHARGE),
        (12, LineMatchMethod.ORIGINAL_CODE_DATE_CHARGE)]


def test_unbundled_lines_sharing_one_control_number_all_map_to_that_line() -> None:
    billed_lines = [bline(11, "80053", 9000, ctl="PCN1-1"), bline(12, "85025", 2550, ctl="PCN1-2")]
    unbundled = [pline(1, "82947", 3000, ctl="PCN1-1"), pline(2, "84132", 3000, ctl="PCN1-1"),
                 pline(3, "82565", 3000, ctl="PCN1-1"), pline(4, "85025", 2550, ctl="PCN1-2")]
    result = match_lines(unbundled, billed_lines)
    assert [m.line_id for m in result.matches] == [11, 11, 11, 12]
    assert result.unmatched == () and result.unpaid_line_ids == ()


def test_identical_lines_are_each_used_once() -> None:
    billed_lines = [bline(11, "97110", 4000), bline(12, "97110", 4000)]
    paid_lines = [pline(1, "97110", 4000), pline(2, "97110", 4000), pline(3, "97110", 4000)]
    result = match_lines(paid_lines, billed_lines)
    assert [m.line_id for m in result.matches] == [11, 12, None]
    assert [line.ordinal for line in result.unmatched] == [3]


def test_billed_lines_nobody_paid_are_reported_unpaid() -> None:
    result = match_lines([pline(1, "99213", 10000)],
                         [bline(11, "99213", 10000), bline(12, "85025", 2550)])
    assert (result.is_complete, result.unpaid_line_ids) == (True, (12,))


def test_paid_line_without_a_date_uses_the_claim_statement_period() -> None:
    billed_lines = [bline(11, "99213", 10000, dos=FEB27)]
    undated = [pline(1, "99213", 10000, dos=None)]
    outside = match_lines(undated, billed_lines, claim_period=(FEB20, FEB20))
    assert outside.matches[0].line_id is None
    inside = match_lines(undated, billed_lines, claim_period=(FEB20, FEB27))
    assert inside.matches[0].line_id == 11
    assert match_lines(undated, billed_lines).matches[0].line_id == 11  # no date anywhere


def test_reversal_matches_the_claim_and_lines_by_charge_magnitude() -> None:
    claim = billed(1, "PCN1", bline(11, "99213", 10000, "25"), bline(12, "99213", 9000))
    lookup = FakeLookup([claim, billed(2, "PCN1", bline(21, "99213", 5000))])
    reversal = paid("PCN1", -19000, pline(1, "99213", -10000, "25"), status="22")
    match = match_claim(reversal, lookup)
    assert (match.claim_id, match.is_safe) == (1, True)
    assert match.lines is not None and match.lines.line_id_for(1) == 11


def test_matched_claim_carries_its_line_matches() -> None:
    claim = billed(1, "PCN1", bline(11, "99213", 10000, ctl="PCN1-1"), bline(12, "85025", 2550))
    payment = paid("PCN1", 12550, pline(1, "99213", 10000, ctl="PCN1-1"), pline(2, "85025", 2550),
                   pline(3, "36415", 1000))
    match = match_claim(payment, FakeLookup([claim]))
    assert match.lines is not None
    assert [(m.line_id, m.method) for m in match.lines.matches] == [
        (11, LineMatchMethod.LINE_CONTROL_NUMBER), (12, LineMatchMethod.CODE_MODIFIERS_DATE_CHARGE),
        (None, LineMatchMethod.NONE)]
