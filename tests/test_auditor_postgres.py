"""Issue 21 as a new team meets it on PostgreSQL: the owner sets up users on a fresh
database, a poster imports an 837 and its 835, a specialist works the queue, and an
auditor logged in as their own role (granted `db grant --read-only`) traces a payment from
the 835 segment to the person who acted, and cannot act: not through the CLI (exit 77),
not with raw SQL (the database refuses)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from tests.pg_roles import application_login, auditor_login
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

pytestmark = pytest.mark.real_identity

PAID_PCN = "PCN-7001"


@dataclass(frozen=True)
class Team:
    """The fresh database's URL (the owner's login) and each person's own login URL."""

    owner_url: str
    poster: tuple[str, str]
    specialist: tuple[str, str]
    auditor: tuple[str, str]
    item: str


def _cli(url: str, *args: str) -> Result:
    """A command as the login in ``url``: no --actor, the login decides who acts."""
    return CliRunner().invoke(main, ["--db", url, *args])


def _ok(url: str, *args: str) -> Result:
    result = _cli(url, *args)
    assert result.exit_code == 0, (args, result.output)
    return result


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """An 837 billing PCN-7001, and its 835: that claim paid, and a payment for a claim
    never billed (a review item for the specialist)."""
    body = (HEADER.split("~", 1)[1] + subscriber(2)
            + claim(PAID_PCN, ("HC:99213", "100"), ("HC:85025", "25.50")))
    claims = build_x12(body, functional_id="HC", transaction_id="837",
                       version="005010X222A1", interchange_control="000000701")
    payment = remit("140.00",
                    clp(PAID_PCN, "1", "125.50", "100.00", "0", "ICN7001",
                        svc("99213", "100", "80", "CO*45*20"),
                        svc("85025", "25.50", "20", "CO*45*5.50")),
                    clp("NOSUCHPCN", "1", "50", "40"), trace="TRACE7001")
    return (write_x12(tmp_path, claims, "clinic.837"),
            write_x12(tmp_path, build_x12(payment, interchange_control="000000702"),
                      "remit.835"))


@pytest.fixture
def team(backend: str, empty_database_url: str, tmp_path: Path) -> Iterator[Team]:
    if backend != "postgresql":
        pytest.skip("logins and grants are PostgreSQL's; on SQLite the OS user acts")
    url = empty_database_url
    _ok(url, "db", "upgrade")  # the owner, on an empty database: no users yet
    with application_login(url, "pat") as pat, application_login(url, "sam") as sam, \
            auditor_login(url, "carol") as carol:
        owner = str(make_url(url).username)
        _ok(url, "users", "add", "dba", "--role", "admin", "--login", owner)
        for name, role, (login, _) in (("pat", "poster", pat), ("sam", "specialist", sam),
                                       ("carol", "auditor", carol)):
            _ok(url, "users", "add", name, "--role", role, "--login", login)
        _ok(url, "db", "grant", pat[0])
        _ok(url, "db", "grant", sam[0])
        _ok(url, "db", "grant", carol[0], "--read-only")
        _ok(pat[1], "import", *map(str, _files(tmp_path)))
        items = json.loads(_ok(sam[1], "queue", "list", "--format", "json").stdout)
        item = str(items[0]["id"])
        _ok(sam[1], "queue", "note", item, "called the payer: not our patient")
        _ok(sam[1], "queue", "assign", item, "sam")
        yield Team(url, pat, sam, carol, item)


def test_the_auditor_traces_a_payment_to_its_835_segment_and_the_people_who_acted(
        team: Team) -> None:
    carol = team.auditor[1]
    shown = json.loads(_ok(carol, "claim", "show", PAID_PCN, "--format", "json").stdout)
    payments = [line for line in shown["journal"] if line["kind"] == "payment"]
    assert payments, shown["journal"]
    assert {(line["source_file"], line["actor"]) for line in payments} == {("remit.835", "pat")}
    assert all(line["source_segment"] for line in payments)
    history = _ok(carol, "history", "claim", PAID_PCN).stdout
    assert "remit.835" in history
    log = json.loads(_ok(carol, "audit", "log", "--format", "json").stdout)
    acted = {(e["action"], e["actor"], e["db_login"]) for e in log}
    assert ("import.file", "pat", team.poster[0]) in acted
    assert ("queue.note", "sam", team.specialist[0]) in acted
    assert ("claim.show", "carol", team.auditor[0]) in acted  # the auditor's reads, too
    assert _ok(carol, "audit", "verify").stderr == "audit chain intact\n"
    _ok(carol, "ledger", "check")


def test_the_auditor_reads_the_queue_exports_a_packet_and_verifies_the_archive(
        team: Team, tmp_path: Path) -> None:
    """Everything an auditor may do needs only SELECT and their own audit events."""
    carol = team.auditor[1]
    item = json.loads(_ok(carol, "queue", "show", team.item, "--format", "json").stdout)
    assert [e["action"] for e in item["events"]][-2:] == ["note", "assign"]
    _ok(carol, "queue", "packet", team.item, "-o", str(tmp_path / "packet.zip"))
    assert (tmp_path / "packet.zip").stat().st_size > 0
    exports = json.loads(_ok(carol, "audit", "log", "--action", "queue.packet",
                             "--format", "json").stdout)
    assert [(e["actor"], e["db_login"]) for e in exports] == [("carol", team.auditor[0])]
    [head] = json.loads(_ok(carol, "audit", "head", "--format", "json").stdout)
    _ok(carol, "audit", "verify", "--archive", "--expect-head", head["hash"])
    _ok(carol, "ledger", "digest")
    account = json.loads(_ok(carol, "claim", "show", PAID_PCN, "--format", "json").stdout)[
        "account_number"]
    for args in (("queue", "list"), ("queue", "stats"), ("account", "show", account),
                 ("history", "account", account), ("users", "list"), ("db", "check"),
                 ("--mask-phi", "audit", "log", "--format", "csv")):
        _ok(carol, *args)


def test_the_auditor_cannot_act_through_the_cli(team: Team, tmp_path: Path) -> None:
    carol = team.auditor[1]
    again = write_x12(tmp_path, build_x12(remit("0", clp("PCN-X", "4", "10", "0")),
                                          interchange_control="000000703"), "late.835")
    for args in (("import", str(again)),
                 ("queue", "note", team.item, "looks fine"),
                 ("users", "add", "eve", "--role", "admin", "--login", "eve")):
        refused = _cli(carol, *args)
        assert refused.exit_code == 77, (args, refused.output)
    _ok(carol, "audit", "verify")


_ACTS = (
    ("INSERT INTO journal_entries (entry_key, kind, effective_date, actor) "
     "VALUES ('forged', 'payment', '2026-01-02', 'carol')"),
    "UPDATE review_items SET status = 'resolved'",
    ("INSERT INTO users (name, login, role, is_active, created_by) "
     "VALUES ('eve', 'eve', 'admin', true, 'carol')"),
    "UPDATE received_files SET content = convert_to('ISA*forged~', 'UTF8')",
    ("INSERT INTO review_item_events (review_item_id, actor, action, note) "
     "SELECT id, 'carol', 'note', 'paid' FROM review_items"),
    "SELECT edi_posting_user_add('eve', 'eve', 'admin', 'carol')",
    "SELECT edi_posting_user_change('carol', 'role', 'admin', 'carol')",
)


def test_the_auditor_cannot_act_with_raw_sql(team: Team) -> None:
    engine = make_engine(team.auditor[1])
    for sql in _ACTS:
        with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
            conn.execute(text(sql))
        assert "permission denied" in str(refused.value.orig), sql
    engine.dispose()
    _ok(team.auditor[1], "audit", "verify")


def test_the_auditor_may_set_their_own_password_and_nobody_elses(team: Team) -> None:
    carol = team.auditor[1]
    own = CliRunner().invoke(main, ["--db", carol, "users", "set-password", "carol"],
                             input="correct horse battery\n")
    assert own.exit_code == 0, own.output
    other = CliRunner().invoke(main, ["--db", carol, "users", "set-password", "sam"],
                               input="correct horse battery\n")
    assert other.exit_code == 77, other.output


def test_read_only_grant_has_an_environment_twin_and_takes_back_the_application_grant(
        backend: str, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend != "postgresql":
        pytest.skip("grants are PostgreSQL's")
    with application_login(database_url, "moved") as (role, _):
        monkeypatch.setenv("EDI_POSTING_READ_ONLY", "1")
        granted = _ok(database_url, "db", "grant", role)
        assert f"read-only grants to {role}" in granted.stderr
        engine = make_engine(database_url)
        with engine.connect() as conn:
            rights = {(table, what): conn.execute(text(
                "SELECT has_table_privilege(:role, :table, :what)"),
                {"role": role, "table": table, "what": what}).scalar_one()
                for table in ("journal_entries", "audit_events", "received_files", "users")
                for what in ("SELECT", "INSERT", "UPDATE")}
            sequences = conn.execute(text(
                "SELECT count(*) FROM information_schema.role_usage_grants "
                "WHERE grantee = :role"), {"role": role}).scalar_one()
        engine.dispose()
    assert {key for key, held in rights.items() if held} == {
        ("journal_entries", "SELECT"), ("audit_events", "SELECT"), ("audit_events", "INSERT"),
        ("received_files", "SELECT"), ("users", "SELECT")}
    assert sequences == 0


def test_read_only_grant_fails_when_the_login_still_writes_through_a_role_it_is_member_of(
        backend: str, database_url: str) -> None:
    """Privileges of a role one is a member of are one's own: an auditor's login inside the
    application role could still act, whatever its own grant says."""
    if backend != "postgresql":
        pytest.skip("grants are PostgreSQL's")
    with application_login(database_url, "app") as (app_role, _), \
            application_login(database_url, "inside") as (role, _):
        engine = make_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text(f"GRANT {app_role} TO {role}"))
        granted = _cli(database_url, "db", "grant", role, "--read-only")
        with engine.begin() as conn:
            conn.execute(text(f"REVOKE {app_role} FROM {role}"))
        engine.dispose()
    assert granted.exit_code == 1, granted.output
    assert f"{role} can still write" in granted.stderr and app_role in granted.stderr
