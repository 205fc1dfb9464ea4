"""PostgreSQL: the foreign keys of the 835 import's hot child tables, checked once per
statement instead of once per row.

Why: a PostgreSQL foreign key fires one trigger per inserted row and key (a journal line
has nine), and on the import's bulk ``COPY`` that was three quarters of the storage floor
(README, "Benchmarks").  For the (table, column) pairs of :data:`STATEMENT_CHECKED` the
constraint is replaced (migration 0014) by

* on the child, one ``AFTER INSERT`` and one ``AFTER UPDATE ... REFERENCING NEW TABLE AS
  new_rows FOR EACH STATEMENT`` trigger (``<table>_fk_insert``, ``<table>_fk_update``)
  that anti-joins each reference column of the statement's rows against its parent and
  raises SQLSTATE 23503 (foreign_key_violation) naming the table, the column and a
  dangling value, so nothing of the statement is kept;
* on each parent that is not append-only, the parent-side half of the key: a statement
  ``AFTER DELETE`` check (``<parent>_fk_delete``, which first takes a SHARE lock on the
  children so that an insert in flight cannot slip past it), a ``BEFORE TRUNCATE`` check
  (``<parent>_fk_truncate``) and a row trigger ``<parent>_fk_key`` that fires only when an
  UPDATE changes the parent's ``id`` (``WHEN (OLD.id IS DISTINCT FROM NEW.id)``).  The key
  check is a row trigger on purpose: PostgreSQL allows no column list and no WHEN on a
  trigger with transition tables, so a statement-level UPDATE guard would run on every
  status update of a claim payment or remittance, whereas this one never fires unless a
  key moves.  Append-only parents (:data:`APPEND_ONLY_PARENTS`, migrations 0002/0006)
  refuse UPDATE, DELETE and TRUNCATE already and get no guard.

Each child's function (``edi_posting_fk_<table>``) is generated from this list; the
trigger arguments name the keys too (child triggers: column, parent, ...; parent triggers:
child, column, ...), and :func:`trigger_drift` compares both against this list.  The
models keep their ``ForeignKey`` declarations (relationships, SQLite, documentation).
SQLite keeps its foreign keys (``PRAGMA foreign_keys = ON`` in ``db/engine.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, text

__all__ = [
    "APPEND_ONLY_PARENTS",
    "STATEMENT_CHECKED",
    "create_statements",
    "drop_statements",
    "expected_triggers",
    "is_statement_checked",
    "trigger_drift",
]

# (child table, reference column, parent table); the parent's key is always ``id``.
STATEMENT_CHECKED: tuple[tuple[str, str, str], ...] = (
    ("journal_lines", "account_id", "ledger_accounts"),
    ("journal_lines", "adjustment_id", "adjustments"),
    ("journal_lines", "entry_id", "journal_entries"),
    ("journal_lines", "patient_account_id", "patient_accounts"),
    ("journal_lines", "payer_id", "payers"),
    ("journal_lines", "provider_adjustment_id", "provider_adjustments"),
    ("journal_lines", "service_line_payment_id", "service_line_payments"),
    ("journal_lines", "submitted_claim_id", "submitted_claims"),
    ("journal_lines", "submitted_line_id", "submitted_lines"),
    ("journal_entries", "claim_payment_id", "claim_payments"),
    ("journal_entries", "remittance_id", "remittances"),
    ("journal_entries", "reverses_entry_id", "journal_entries"),
    ("journal_entries", "review_item_id", "review_items"),
    ("journal_entries", "source_file_id", "received_files"),
    ("journal_entries", "submitted_claim_id", "submitted_claims"),
    ("claim_payments", "remittance_id", "remittances"),
    ("claim_payments", "source_file_id", "received_files"),
    ("claim_payments", "submitted_claim_id", "submitted_claims"),
    ("service_line_payments", "claim_payment_id", "claim_payments"),
    ("service_line_payments", "source_file_id", "received_files"),
    ("service_line_payments", "submitted_line_id", "submitted_lines"),
    ("adjustments", "claim_payment_id", "claim_payments"),
    ("adjustments", "service_line_payment_id", "service_line_payments"),
    ("adjustments", "source_file_id", "received_files"),
    ("supplemental_amounts", "claim_payment_id", "claim_payments"),
    ("supplemental_amounts", "service_line_payment_id", "service_line_payments"),
    ("supplemental_amounts", "source_file_id", "received_files"),
    ("remark_codes", "claim_payment_id", "claim_payments"),
    ("remark_codes", "service_line_payment_id", "service_line_payments"),
    ("remark_codes", "source_file_id", "received_files"),
)
# refuse UPDATE, DELETE and TRUNCATE by trigger (migrations 0002 and 0006)
APPEND_ONLY_PARENTS = frozenset({"journal_entries", "journal_lines", "audit_events",
                                 "review_item_events"})

_PARENT_FUNCTION = [
    """
    CREATE FUNCTION edi_posting_parent_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        i integer := 0;
        referenced text;
    BEGIN
        WHILE i < TG_NARGS LOOP
            IF TG_OP = 'TRUNCATE' THEN
                EXECUTE format('SELECT %2$I::text FROM %1$I WHERE %2$I IS NOT NULL LIMIT 1',
                               TG_ARGV[i], TG_ARGV[i + 1]) INTO referenced;
            ELSE
                -- inserts in flight finish first, and none starts until this commits
                EXECUTE format('LOCK TABLE %I IN SHARE MODE', TG_ARGV[i]);
                IF TG_LEVEL = 'ROW' THEN
                    EXECUTE format('SELECT %2$I::text FROM %1$I WHERE %2$I = $1 LIMIT 1',
                                   TG_ARGV[i], TG_ARGV[i + 1]) INTO referenced USING OLD.id;
                ELSE
                    EXECUTE format('SELECT o.id::text FROM old_rows o WHERE EXISTS '
                                   '(SELECT 1 FROM %1$I c WHERE c.%2$I = o.id) LIMIT 1',
                                   TG_ARGV[i], TG_ARGV[i + 1]) INTO referenced;
                END IF;
            END IF;
            IF referenced IS NOT NULL THEN
                RAISE EXCEPTION '% on table "%" violates statement-checked foreign key %.%',
                    lower(TG_OP), TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1]
                    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                          DETAIL = format('Key (id)=(%s) is still referenced from table '
                                          '"%s" (column %s).', referenced, TG_ARGV[i],
                                          TG_ARGV[i + 1]);
            END IF;
            i := i + 2;
        END LOOP;
        IF TG_LEVEL = 'ROW' THEN
            RETURN NEW;
        END IF;
        RETURN NULL;
    END $$
    """,
]


def child_function(child: str) -> tuple[str, str]:
    """(name, body) of ``child``'s check: one query over the statement's rows, written out
    rather than built at run time so that PL/pgSQL keeps its plan between statements (a
    dynamic query per key was planned anew on every COPY: a millisecond for nine keys).

    A kept plan must not depend on sizes: each distinct value probes its parent's primary
    key (``OFFSET 0`` keeps the probe a correlated subquery), never a hash join that
    reads the whole parent, which a plan made while the parent was small would go on
    doing when it is large (measured: the 10,000-claim import got 60% slower)."""
    branches = " UNION ALL ".join(
        f"(SELECT '{column}' AS key, '{parent}' AS parent, d.value::text AS value "
        f"FROM (SELECT DISTINCT n.{column} AS value FROM new_rows n "
        f"WHERE n.{column} IS NOT NULL) d WHERE NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE p.id = d.value OFFSET 0) LIMIT 1)"
        for column, parent in _children()[child])
    body = f"""
    DECLARE
        found record;
    BEGIN
        SELECT * INTO found FROM ({branches}) dangling LIMIT 1;
        IF found.key IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates statement-checked '
                'foreign key %.%', TG_TABLE_NAME, TG_TABLE_NAME, found.key
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                      COLUMN = found.key,
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                                      found.key, found.value, found.parent);
        END IF;
        RETURN NULL;
    END
    """
    return f"edi_posting_fk_{child}", body


def _children() -> dict[str, list[tuple[str, str]]]:
    by_child: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, column, parent in STATEMENT_CHECKED:
        by_child[child].append((column, parent))
    return by_child


def _parents() -> dict[str, list[tuple[str, str]]]:
    by_parent: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, column, parent in STATEMENT_CHECKED:
        if parent not in APPEND_ONLY_PARENTS:
            by_parent[parent].append((child, column))
    return by_parent


def _trigger_sql(name: str, table: str, args: tuple[str, ...]) -> str:
    """The CREATE TRIGGER of one of :func:`expected_triggers`' names."""
    quoted = ", ".join(f"'{a}'" for a in args)
    kind = name.rsplit("_", 1)[1]
    timing = {
        "insert": "AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "update": "AFTER UPDATE ON {t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "delete": "AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "truncate": "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT",
        "key": "BEFORE UPDATE OF id ON {t} FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)",
    }[kind].format(t=table)
    function = f"edi_posting_fk_{table}" if kind in ("insert", "update") else \
        "edi_posting_parent_keys"
    return f"CREATE TRIGGER {name} {timing} EXECUTE FUNCTION {function}({quoted})"


def expected_triggers() -> dict[tuple[str, str], tuple[str, ...]]:
    """(table, trigger name) -> the trigger's arguments, for every trigger that stands in
    for the foreign keys of :data:`STATEMENT_CHECKED`."""
    expected: dict[tuple[str, str], tuple[str, ...]] = {}
    for child, keys in _children().items():
        args = tuple(part for key in keys for part in key)
        for kind in ("insert", "update"):
            expected[(child, f"{child}_fk_{kind}")] = args
    for parent, refs in _parents().items():
        args = tuple(part for ref in refs for part in ref)
        for kind in ("delete", "truncate", "key"):
            expected[(parent, f"{parent}_fk_{kind}")] = args
    return expected


def create_statements(constraint_names: dict[tuple[str, str], str]) -> list[str]:
    """Migration 0014's upgrade: drop each listed constraint (its name from the database,
    keyed by (table, column)), then create the functions and the triggers."""
    statements = [f'ALTER TABLE {child} DROP CONSTRAINT "{constraint_names[(child, column)]}"'
                  for child, column, _ in STATEMENT_CHECKED]
    statements += [f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"
                   for name, body in map(child_function, _children())]
    statements += _PARENT_FUNCTION
    statements += [_trigger_sql(name, table, args)
                   for (table, name), args in expected_triggers().items()]
    return statements


def drop_statements(constraint_names: dict[tuple[str, str], str]) -> list[str]:
    """Migration 0014's downgrade: the triggers and functions go, the constraints (named
    as the models name them) come back."""
    statements = [f"DROP TRIGGER IF EXISTS {name} ON {table}"
                  for table, name in expected_triggers()]
    statements += [f"DROP FUNCTION IF EXISTS edi_posting_fk_{child}()" for child in _children()]
    statements += ["DROP FUNCTION IF EXISTS edi_posting_parent_keys()"]
    statements += [f'ALTER TABLE {child} ADD CONSTRAINT "{constraint_names[(child, column)]}" '
                   f"FOREIGN KEY ({column}) REFERENCES {parent} (id)"
                   for child, column, parent in STATEMENT_CHECKED]
    return statements


def is_statement_checked(difference: Any) -> bool:
    """An Alembic ``add_fk`` difference (the models declare a key the database has no
    constraint for) that is one of :data:`STATEMENT_CHECKED`'s, whose triggers
    :func:`trigger_drift` checks instead."""
    if not (isinstance(difference, tuple) and difference and difference[0] == "add_fk"):
        return False
    constraint = difference[1]
    columns = [c.name for c in constraint.columns]
    wanted = {(child, column, parent) for child, column, parent in STATEMENT_CHECKED}
    return (len(columns) == 1 and (constraint.table.name, columns[0],
                                   constraint.referred_table.name) in wanted)


def trigger_drift(conn: Connection) -> list[tuple[str, str, str]]:
    """("statement_fk_trigger_missing" or "..._differs", table, trigger) for every expected
    trigger that does not exist, or exists with other arguments or disabled; the same for
    each child's check function whose body is not the one this list generates."""
    rows = conn.execute(text(
        "SELECT c.relname, t.tgname, t.tgargs, t.tgenabled FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal")).all()
    found = {(table, name): (_args(raw), enabled) for table, name, raw, enabled in rows}
    differences = []
    for key, args in expected_triggers().items():
        if key not in found:
            differences.append(("statement_fk_trigger_missing", *key))
        elif found[key] != (args, "O"):
            differences.append(("statement_fk_trigger_differs", *key))
    bodies = {str(name): str(body) for name, body in conn.execute(text(
        "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = current_schema()::regnamespace "
        "AND proname LIKE 'edi\\_posting\\_fk\\_%'"))}
    for child in _children():  # the function is what checks: its body must be the list's
        name, body = child_function(child)
        if bodies.get(name) != body:
            differences.append((f"statement_fk_function_{'differs' if name in bodies else 'missing'}",
                                child, name))
    return differences


def _args(raw: bytes | memoryview) -> tuple[str, ...]:
    """pg_trigger.tgargs: each argument followed by a NUL byte."""
    return tuple(bytes(raw).decode("utf-8").split("\x00")[:-1])
