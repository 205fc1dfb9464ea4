"""Administration through the public API: the schema, grants, the URL as shown."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import refusals, staffed


def test_an_empty_database_is_upgraded_without_users_and_then_needs_administer(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    session = edi_posting.open_session(url, actor="ada", require_current=False)
    try:
        assert edi_posting.schema_revision(session).revision is None
        before, after = edi_posting.upgrade_database(session)
        state = edi_posting.check_schema(session)
        upgrades = edi_posting.audit_log(session, action="db.upgrade")
    finally:
        session.close()
    assert before is None and after == state.head == state.revision and state.drift == []
    assert [(e["role"], e["object_id"]) for e in upgrades] == [(None, state.head)]


def test_a_poster_may_not_upgrade_and_the_refusal_is_audited(database_url: str) -> None:
    with staffed(database_url) as staff:
        with pytest.raises(edi_posting.PermissionDeniedError, match="administer"):
            edi_posting.upgrade_database(staff["pat"])
        with pytest.raises(edi_posting.PermissionDeniedError):
            edi_posting.grant_role(staff["pat"], "edi_app")
        assert [e["actor"] for e in refusals(staff["aud"], "db.upgrade")] == ["pat"]
        assert [e["actor"] for e in refusals(staff["aud"], "db.grant")] == ["pat"]
        edi_posting.upgrade_database(staff["ada"])
        upgrades = edi_posting.audit_log(staff["aud"], action="db.upgrade", actor="ada")
    assert [e["outcome"] for e in upgrades] == ["ok"]


def test_the_url_is_shown_without_its_password() -> None:
    shown = edi_posting.shown_database_url("postgresql+psycopg://poster:s3cret@db/edi")
    assert "s3cret" not in shown and shown.endswith("@db/edi")
    assert edi_posting.shown_database_url(None).startswith("sqlite:///")
