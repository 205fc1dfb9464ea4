"""Which deposit met which receipt: the matching rules, as pure functions over records.

In order, each on what the step before left:

1. **Trace**: the deposit's trace (its CCD+ addendum, else its reference), normalised,
   equals a receipt's TRN02.  The deposits sharing one trace that add up to the receipt
   are a split (several deposits for one remittance); a single deposit short of its
   receipt is matched with the difference as a variance; one over it takes the receipt's
   amount and leaves the rest of the deposit lonely.
2. **Amount within the window**: exactly one receipt of the deposit's amount received
   within the window (business days either side); several: the payer named in the
   deposit's text decides, else none is chosen.
3. **Bulk**: a deposit that is exactly the sum of two or more receipts received on or
   before its day (a bulk check deposit), the same day's first; taken only when exactly
   one such set exists.

A deposit is never matched beyond its amount, a receipt never beyond what it awaits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from edi_posting.db.workflow import DepositMatchMethod
from edi_posting.names import plain
from edi_posting.reconciliation.calendar import business_days_between
from edi_posting.reconciliation.receipts import Receipt, ReceiptKey

__all__ = ["OpenDeposit", "Pair", "Pairing", "pair"]

_BULK_CANDIDATES, _BULK_SIZE, _SEARCH_NODES = 24, 8, 200_000


@dataclass(frozen=True, slots=True)
class OpenDeposit:
    """A deposit line with money no receipt has met yet."""

    id: int
    date: dt.date
    remaining_cents: int
    trace: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Pair:
    deposit_id: int
    receipt: ReceiptKey  # (kind, id): a remittance and a received payment may share an id
    amount_cents: int
    method: DepositMatchMethod


@dataclass(slots=True)
class Pairing:
    """What matching found: pairs, variances (deposit, receipt, receipt's shortfall)."""

    pairs: list[Pair] = field(default_factory=list)
    variances: list[tuple[int, ReceiptKey, int]] = field(default_factory=list)
    deposit_left: dict[int, int] = field(default_factory=dict)
    receipt_left: dict[ReceiptKey, int] = field(default_factory=dict)

    def take(self, deposit: int, receipt: ReceiptKey, cents: int,
             method: DepositMatchMethod) -> None:
        self.pairs.append(Pair(deposit, receipt, cents, method))
        self.deposit_left[deposit] -= cents
        self.receipt_left[receipt] -= cents

    def untouched(self, deposits: Sequence[OpenDeposit]) -> list[OpenDeposit]:
        return [d for d in deposits if self.deposit_left[d.id] == d.remaining_cents]


def _by_trace(pairing: Pairing, deposits: Sequence[OpenDeposit],
              receipts: Sequence[Receipt]) -> None:
    keyed: dict[str, list[Receipt]] = {}
    for receipt in receipts:
        if receipt.trace_key:
            keyed.setdefault(receipt.trace_key, []).append(receipt)
    groups: dict[str, list[OpenDeposit]] = {}
    for deposit in deposits:
        if deposit.trace and len(keyed.get(deposit.trace, [])) == 1:
            groups.setdefault(deposit.trace, []).append(deposit)
    for trace, group in groups.items():
        [receipt] = keyed[trace]
        awaiting, total = pairing.receipt_left[receipt.key], sum(d.remaining_cents for d in group)
        if len(group) > 1 and total != awaiting:
            continue  # several deposits that do not add up: a person decides
        method = DepositMatchMethod.TRACE if len(group) == 1 else DepositMatchMethod.SPLIT
        for deposit in group:
            pairing.take(deposit.id, receipt.key, min(deposit.remaining_cents, awaiting), method)
        if total < awaiting:
            pairing.variances.append((group[-1].id, receipt.key, awaiting - total))


def _in_window(receipt: Receipt, day: dt.date, window: int) -> bool:
    return abs(business_days_between(receipt.received, day)) <= window


def _by_amount(pairing: Pairing, deposits: Sequence[OpenDeposit],
               receipts: Sequence[Receipt], window: int) -> None:
    for deposit in sorted(pairing.untouched(deposits), key=lambda d: (d.date, d.id)):
        found = [r for r in receipts if pairing.receipt_left[r.key] == r.awaiting_cents
                 == deposit.remaining_cents and _in_window(r, deposit.date, window)]
        if len(found) > 1:
            text = plain(deposit.text)
            found = [r for r in found if r.payer and plain(r.payer) in text]
        if len(found) == 1:
            pairing.take(deposit.id, found[0].key, deposit.remaining_cents,
                         DepositMatchMethod.AMOUNT_DATE)


def _subsets(amounts: list[tuple[ReceiptKey, int]], target: int) -> list[list[ReceiptKey]]:
    """Up to two sets of two or more ids whose amounts add up to ``target`` exactly."""
    found: list[list[ReceiptKey]] = []
    nodes = 0

    def walk(start: int, left: int, chosen: list[ReceiptKey]) -> None:
        nonlocal nodes
        nodes += 1
        if len(found) > 1 or nodes > _SEARCH_NODES:
            return
        if left == 0 and len(chosen) > 1:
            found.append(list(chosen))
            return
        if len(chosen) >= _BULK_SIZE:
            return
        for index in range(start, len(amounts)):
            ident, cents = amounts[index]
            if cents <= left:
                chosen.append(ident)
                walk(index + 1, left - cents, chosen)
                chosen.pop()

    walk(0, target, [])
    return found if nodes <= _SEARCH_NODES else []


def _bulk(pairing: Pairing, deposits: Sequence[OpenDeposit],
          receipts: Sequence[Receipt]) -> None:
    for deposit in sorted(pairing.untouched(deposits), key=lambda d: (d.date, d.id)):
        whole = [r for r in receipts if pairing.receipt_left[r.key] == r.awaiting_cents > 0
                 and r.received <= deposit.date and r.awaiting_cents < deposit.remaining_cents]
        whole.sort(key=lambda r: (r.received, r.id), reverse=True)
        for pool in ([r for r in whole if r.received == deposit.date], whole):
            found = _subsets(sorted(((r.key, r.awaiting_cents) for r in pool[:_BULK_CANDIDATES]),
                                    key=lambda a: -a[1]), deposit.remaining_cents)
            if len(found) == 1:
                cents = {r.key: r.awaiting_cents for r in pool}
                for receipt_id in found[0]:
                    pairing.take(deposit.id, receipt_id, cents[receipt_id],
                                 DepositMatchMethod.BULK)
                break


def pair(deposits: Sequence[OpenDeposit], receipts: Sequence[Receipt],
         window: int) -> Pairing:
    """Match deposits with receipts (see the module docstring for the rules' order)."""
    pairing = Pairing(deposit_left={d.id: d.remaining_cents for d in deposits},
                      receipt_left={r.key: r.awaiting_cents for r in receipts})
    _by_trace(pairing, deposits, receipts)
    _by_amount(pairing, deposits, receipts, window)
    _bulk(pairing, deposits, receipts)
    return pairing
