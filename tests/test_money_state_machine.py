"""The books stay right whatever order files and specialists come in: a state machine.

Hypothesis runs random sequences of steps against a real database (a fresh SQLite file or
PostgreSQL database per sequence): bill a claim (837), receive 835 sets (payments, a
denial, a payment nobody billed, reversals with and without their correction, PLB
recoveries, interest and an unlinked PLB, an unbalanced claim), re-import what came before
(the same file, the same sets under a new name or concatenated, a set repeated inside one
file), import a small generated day, and work the queue through the API the CLI calls
(apply, accept-match, rematch, transfer, write-off, refund, reapply, dismiss, place-plb,
link-correction).  After every step the invariants of ``tests/money_invariants.py`` hold;
a re-import, or an action the engine refuses, changes nothing at all.

The scenario data is X12 in ``tests/money_scenarios.py``; in which order things arrive is
left to Hypothesis, so a payment may come before its claim is billed (unmatched, then
applied or rematched) and a reversal before its original (orphan).  The default run is
short and reports a failure as found; ``-m slow`` runs the long variant, which shrinks it.
The shortest failing sequences it found are replayed in ``test_money_found_sequences.py``.
"""

from __future__ import annotations

import inspect
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, select

from edi_posting.access.permissions import add_user
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ClaimPayment, ReviewItem
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import ImportOptions
from edi_posting.queue.kinds import UNAPPLIED_KINDS
from edi_posting.review.actions import ActionError, dismiss
from edi_posting.review.approvals import approve, list_approvals, reject_approval
from edi_posting.review.balances import transfer, write_off
from edi_posting.review.money import ActionResult, accept_match, apply_cash
from edi_posting.review.plb_placement import place_plb
from edi_posting.review.refunds import reapply, refund
from edi_posting.review.rematch import link_correction, rematch
from edi_posting.review.undo import undo
from edi_posting.testdata.generator import generate, parse_mix
from tests.acting import as_user
from tests.money_invariants import (
    PostingSnapshot,
    ledger_violations,
    patient_overshares,
    payer_splits,
    posting_snapshot,
    queue_violations,
)
from tests.money_scenarios import (
    CLAIMS,
    GENERATED_MIX,
    REMITS,
    SET_CONTROLS,
    claim_file,
    with_set_controls,
)
from tests.x12build import build_x12, write_x12

ACTOR = "sam"  # a specialist: the queue actions
IMPORTER = "pat"  # a poster: the imports
APPROVER = "lee"  # a lead: approves what waits above a limit (never their own)
# Actions pick among the items they fit first (any open item when none does, to be refused).
CASH_KINDS = (*sorted(UNAPPLIED_KINDS), "denial")
CLAIM_KINDS = ("denial", "awaiting_correction", "claim_problem")
PICK = st.integers(min_value=0, max_value=15)  # which open item (modulo how many are open)
AMOUNT = st.one_of(st.none(), st.integers(min_value=1, max_value=15_000))
PCNS = st.sampled_from(sorted(CLAIMS))


def confirmed(action: Callable[..., Any], confirm: bool) -> dict[str, bool]:
    """``confirm=`` for an action that takes it (apply onto a claim already adjudicated
    needs it once the queue branch lands), nothing for one that does not (yet)."""
    return {"confirm": confirm} if "confirm" in inspect.signature(action).parameters else {}


def say(text: str) -> None:
    """What a step did, printed with a failing example (and ignored outside Hypothesis)."""
    if currently_in_test_context():
        note(text)


class MoneyMachine(RuleBasedStateMachine):
    """One practice's books under random imports, re-imports and queue actions."""

    databases: ClassVar[Callable[[], AbstractContextManager[str]]]
    directory: ClassVar[Path]
    day: ClassVar[Path]  # the generated day's directory
    generated: ClassVar[dict[str, str | None]]  # its files -> the file each re-sends
    _runs = itertools.count()

    sets = Bundle("sets")

    def __init__(self) -> None:
        super().__init__()
        self._database = self.databases()
        self.engine: Engine = make_engine(self._database.__enter__())
        self.folder = self.directory / f"run{next(self._runs)}"
        self.folder.mkdir()
        self.controls = itertools.count(1)
        self.received: set[str] = set()  # set names imported so far
        self.imported: list[Path] = []  # files imported so far, first import of each
        self.open_items: list[tuple[int, str]] = []
        self.acted: list[ActionResult] = []  # the actions that posted, in order (for undo)
        with write_transaction(self.engine) as conn:  # access control on, as in production
            for name, role in (("ada", "admin"), (ACTOR, "specialist"), (IMPORTER, "poster"),
                               (APPROVER, "lead")):
                add_user(conn, name, role, actor="ada")

    def teardown(self) -> None:
        self.engine.dispose()
        self._database.__exit__(None, None, None)

    # --- helpers every rule uses ------------------------------------------------------------

    def snapshot(self) -> PostingSnapshot:
        with self.engine.connect() as conn:
            return posting_snapshot(conn)

    @contextmanager
    def unchanged(self, why: str) -> Iterator[None]:
        """The step inside must leave every posting table and the ledger as they were."""
        before = self.snapshot()
        yield
        after = self.snapshot()
        assert after == before, f"{why} changed the books:\n{before}\n->\n{after}"

    def import_path(self, path: Path) -> str:
        result = import_file(self.engine, path, ImportOptions(actor=IMPORTER))
        say(f"import {path.name}: {result.status}, posted {result.posted}, "
             f"queued {result.queued}, problems {[p.code for p in result.problems]}")
        if path not in self.imported:
            self.imported.append(path)
        self.refresh()
        return result.status

    def refresh(self) -> None:
        """The open items, in the order opened, for the queue rules to pick from."""
        with self.engine.connect() as conn:
            self.open_items = [(r.id, r.kind) for r in conn.execute(
                select(ReviewItem.id, ReviewItem.kind)
                .where(ReviewItem.status.in_(OPEN_STATES)).order_by(ReviewItem.id))]

    def write(self, text: str, name: str) -> Path:
        return write_x12(self.folder, text, f"{next(self.controls):03d}-{name}")

    def remit_file(self, names: list[str], controls: list[int] | None = None) -> Path:
        """A new 835 file (new ISA13) of these sets.  Each set keeps its own ST02 (its place
        in REMITS), as a payer re-sending it would, unless ``controls`` says otherwise."""
        text = build_x12(*(REMITS[n] for n in names),
                         interchange_control=f"{next(self.controls):09d}")
        numbers = controls or [SET_CONTROLS[n] for n in names]
        return self.write(with_set_controls(text, numbers), "+".join(names) + ".835")

    def act(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One queue action in its own transaction, as the CLI runs it.  A refusal
        (ActionError: the action does not fit the item) must leave the books untouched."""
        before = self.snapshot()
        actor = kwargs.pop("actor", ACTOR)
        try:
            with write_transaction(self.engine) as conn:
                result = action(conn, *args, principal=as_user(conn, actor), **kwargs)
        except ActionError as refused:
            say(f"{action.__name__}: refused ({refused})")
            assert self.snapshot() == before, f"the refused {action.__name__} changed the books"
            return None
        say(f"{action.__name__}: {getattr(result, 'message', result)}")
        self.acted += [r for r in (result if isinstance(result, list) else [result])
                       if isinstance(r, ActionResult) and r.entry_ids]
        self.refresh()
        return result

    def item(self, pick: int, *kinds: str) -> int | None:
        """An open item (of these kinds, when given), chosen by index; None if none is."""
        fitting = [i for i, kind in self.open_items if not kinds or kind in kinds]
        return fitting[pick % len(fitting)] if fitting else None

    # --- imports ------------------------------------------------------------------------------

    @rule(pcn=PCNS)
    def bill(self, pcn: str) -> None:
        """An 837 with one claim; billing the same claim again is the same file again."""
        path = write_x12(self.folder, claim_file(pcn), f"{pcn}.837")
        if path in self.imported:
            with self.unchanged(f"billing {pcn} again"):
                self.import_path(path)
        else:
            self.import_path(path)

    @rule(target=sets, names=st.lists(st.sampled_from(sorted(REMITS)), min_size=1, max_size=2,
                                      unique=True))
    def receive(self, names: list[str]) -> Any:
        """A new 835 file with one or two sets; sets seen before must post nothing again."""
        path = self.remit_file(names)
        if self.received.issuperset(names):
            with self.unchanged("sets received before, in a new file"):
                self.import_path(path)
        else:
            self.import_path(path)
        self.received.update(names)
        return multiple(*names)

    @precondition(lambda self: bool(self.imported))
    @rule(data=st.data(), renamed=st.booleans())
    def reimport_file(self, data: st.DataObject, renamed: bool) -> None:
        """The very same file again, under its own name or a new one."""
        path = data.draw(st.sampled_from(self.imported), label="file")
        if renamed:  # byte for byte
            copy = self.folder / f"{next(self.controls):03d}-{path.name}"
            copy.write_bytes(path.read_bytes())
            path = copy
        with self.unchanged(f"re-importing {path.name}"):
            self.import_path(path)

    @rule(names=st.lists(sets, min_size=1, max_size=3, unique=True))
    def reimport_sets(self, names: list[str]) -> None:
        """Sets already imported, concatenated into a new file (in any order)."""
        with self.unchanged(f"re-importing sets {names} in a new file"):
            self.import_path(self.remit_file(names))

    @rule(names=st.lists(sets, min_size=1, max_size=3, unique=True))
    def reimport_sets_renumbered(self, names: list[str]) -> None:
        """Sets already imported, in a new file that numbers them 0001, 0002... (ST02)."""
        with self.unchanged(f"re-importing sets {names} renumbered in a new file"):
            self.import_path(self.remit_file(names, list(range(1, len(names) + 1))))

    @rule(name=sets)
    def reimport_set_twice_in_one_file(self, name: str) -> None:
        """A set already imported, twice in one new file (the copy under another ST02)."""
        with self.unchanged(f"re-importing set {name} twice in one file"):
            self.import_path(self.remit_file([name, name], [SET_CONTROLS[name], 99]))

    @rule(data=st.data())
    def import_generated(self, data: st.DataObject) -> None:
        """A file of the small generated day; its resent copy is a re-import."""
        file = data.draw(st.sampled_from(sorted(self.generated)), label="file")
        path, original = self.day / file, self.generated[file]
        if path in self.imported or (original and self.day / original in self.imported):
            with self.unchanged(f"re-importing generated {file}"):
                self.import_path(path)
        else:
            self.import_path(path)

    # --- the queue ----------------------------------------------------------------------------

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, pcn=PCNS, amount=AMOUNT, confirm=st.booleans())
    def apply(self, pick: int, pcn: str, amount: int | None, confirm: bool) -> None:
        self.act(apply_cash, self.item(pick, *CASH_KINDS) or self.item(pick), pcn,
                 amount_cents=amount, **confirmed(apply_cash, confirm))

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, choice=st.integers(min_value=0, max_value=3), confirm=st.booleans())
    def accept_match(self, pick: int, choice: int, confirm: bool) -> None:
        ident = self.item(pick, "unmatched_payment", "ambiguous_match") or self.item(pick)
        with self.engine.connect() as conn:
            evidence = conn.execute(select(ReviewItem.evidence).where(
                ReviewItem.id == ident)).scalar() or {}
        candidates = [c["claim_id"] for c in evidence.get("candidates", [])]
        chosen = candidates[choice % len(candidates)] if candidates else None
        self.act(accept_match, ident, candidate_claim_id=chosen,
                 **confirmed(accept_match, confirm))

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK)
    def rematch(self, pick: int) -> None:
        self.act(rematch, [self.item(pick, "unmatched_payment", "ambiguous_match")
                           or self.item(pick)])

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, amount=AMOUNT)
    def transfer_to_patient(self, pick: int, amount: int | None) -> None:
        self.act(transfer, self.item(pick, *CLAIM_KINDS) or self.item(pick), to="patient",
                 amount_cents=amount)

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, side=st.sampled_from(["insurance", "patient"]), amount=AMOUNT)
    def write_off(self, pick: int, side: str, amount: int | None) -> None:
        self.act(write_off, self.item(pick, *CLAIM_KINDS) or self.item(pick), "CO-45",
                 side=side, amount_cents=amount)

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, amount=AMOUNT)
    def refund(self, pick: int, amount: int | None) -> None:
        self.act(refund, self.item(pick, "credit_balance") or self.item(pick), "overpaid",
                 amount_cents=amount)

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, pcn=PCNS, amount=AMOUNT)
    def reapply(self, pick: int, pcn: str, amount: int | None) -> None:
        self.act(reapply, self.item(pick, "credit_balance") or self.item(pick), pcn,
                 amount_cents=amount)

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK)
    def dismiss(self, pick: int) -> None:
        self.act(dismiss, self.item(pick), "not ours")

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, pcn=st.one_of(st.none(), PCNS))
    def place_plb(self, pick: int, pcn: str | None) -> None:
        self.act(place_plb, self.item(pick, "unlinked_plb") or self.item(pick), pcn=pcn,
                 note=None if pcn else "a payer-level recovery")

    @precondition(lambda self: bool(self.open_items))
    @rule(pick=PICK, payment=st.integers(min_value=0, max_value=15))
    def link_correction(self, pick: int, payment: int) -> None:
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(ClaimPayment.id).order_by(ClaimPayment.id)).scalars())
        if ids:
            self.act(link_correction, self.item(pick, "awaiting_correction") or self.item(pick),
                     ids[payment % len(ids)])

    @precondition(lambda self: bool(self.acted))
    @rule(pick=PICK)
    def undo(self, pick: int) -> None:
        """`queue undo` of an item whose money action posted: its latest action is reversed."""
        self.act(undo, self.acted[pick % len(self.acted)].item_id, reason="mistake")

    @rule(pick=PICK, approved=st.booleans())
    def decide_approval(self, pick: int, approved: bool) -> None:
        """A lead approves (it posts now, against today's balances) or rejects (nothing
        posts) a refund or write-off that waits above its limit."""
        with self.engine.connect() as conn:
            pending = [row["id"] for row in list_approvals(conn)]
        if not pending:
            return
        chosen = pending[pick % len(pending)]
        if approved:
            self.act(approve, chosen, actor=APPROVER)
        else:
            self.act(reject_approval, chosen, "payer recoups it", actor=APPROVER)

    # --- invariants, after every step ---------------------------------------------------------

    @invariant()
    def ledger_checks_pass(self) -> None:
        """Every entry sums to zero; `ledger check` finds nothing."""
        with self.engine.connect() as conn:
            found = ledger_violations(conn)
            assert found == [], found

    @invariant()
    def queue_owns_every_open_dollar_once(self) -> None:
        with self.engine.connect() as conn:
            found = queue_violations(conn)
            assert found == [], found

    @invariant()
    def no_patient_owes_more_than_the_payer_assigned(self) -> None:
        with self.engine.connect() as conn:
            found = patient_overshares(conn)
            assert found == [], found

    @invariant()
    def no_payer_is_split_in_two(self) -> None:
        with self.engine.connect() as conn:
            found = payer_splits(conn)
            assert found == [], found


# --- running it ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """A seeded generated day (two 837s, a few 835s, one resent), made once."""
    out = tmp_path_factory.mktemp("day") / "generated"
    generate(out, claims=10, seed=11, payers=1, mix=parse_mix(GENERATED_MIX))
    expected = json.loads((out / "expected.json").read_text())
    resent = {d["file"]: d["duplicate_of"] for d in expected["files"]["duplicates"]}
    files: dict[str, str | None] = {f"837/{n}": None for n in expected["files"]["837"]}
    files.update({f"835/{n}": (f"835/{resent[n]}" if n in resent else None)
                  for n in expected["files"]["835"]})
    return out, files


def _run(databases: Callable[[], AbstractContextManager[str]], tmp_path: Path,
         day: tuple[Path, dict[str, str | None]], examples: int, steps: int,
         shrink: bool) -> None:
    """Deterministic (derandomized, no example database) so CI sees the same runs."""
    machine = type("Machine", (MoneyMachine,), {
        "databases": staticmethod(databases), "directory": tmp_path, "day": day[0],
        "generated": day[1]})
    phases = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if shrink else ())
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=True,
        database=None, phases=phases, report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_random_imports_reimports_and_queue_actions_keep_the_books_right(
        database_factory: Callable[[], AbstractContextManager[str]], tmp_path: Path,
        generated_day: tuple[Path, dict[str, str | None]]) -> None:
    """Quick: a failure is reported as found, unshrunk (shrinking one can take minutes)."""
    _run(database_factory, tmp_path, generated_day, examples=15, steps=12, shrink=False)


@pytest.mark.slow
def test_long_runs_of_imports_reimports_and_queue_actions_keep_the_books_right(
        database_factory: Callable[[], AbstractContextManager[str]], tmp_path: Path,
        generated_day: tuple[Path, dict[str, str | None]]) -> None:
    """More and longer runs; a failure is shrunk to its shortest sequence of steps."""
    _run(database_factory, tmp_path, generated_day, examples=150, steps=25, shrink=True)

