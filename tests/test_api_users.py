"""Users through the public API: manage_users checked, the first user an admin, passwords
asked for only once the change is allowed."""

from __future__ import annotations

import pytest

import edi_posting
from tests.api_staff import refusals, staffed


def test_the_first_user_is_an_admin_and_the_others_get_their_roles(database_url: str) -> None:
    with staffed(database_url) as staff:
        users = {u["name"]: u["role"] for u in edi_posting.list_users(staff["pat"])}
        added = edi_posting.add_user(staff["ada"], "bob", "poster", login="bob_pg")
        edi_posting.set_login(staff["ada"], "bob", "bob_os")
        logins = {u["name"]: u["login"] for u in edi_posting.list_users(staff["aud"])}
    assert users == {"ada": "admin", "pat": "poster", "sam": "specialist", "aud": "auditor"}
    assert (added.role, added.login, added.unmapped_login) == ("poster", "bob_pg", None)
    assert logins["bob"] == "bob_os"


def test_a_duplicate_user_is_a_user_error(database_url: str) -> None:
    with staffed(database_url) as staff, pytest.raises(edi_posting.UserError):
        edi_posting.add_user(staff["ada"], "pat", "poster")


def test_a_poster_may_not_add_users_and_the_refusal_is_audited(database_url: str) -> None:
    with staffed(database_url) as staff:
        with pytest.raises(edi_posting.PermissionDeniedError, match="manage_users"):
            edi_posting.add_user(staff["pat"], "eve", "admin")
        assert [(e["actor"], e["object_id"]) for e in refusals(staff["aud"], "users.add")] == [
            ("pat", "eve")]
        assert "eve" not in {u["name"] for u in edi_posting.list_users(staff["ada"])}


def test_a_refused_password_change_never_asks_for_the_password(database_url: str) -> None:
    asked: list[str] = []

    def prompt() -> str:
        asked.append("asked")
        return "correct horse battery staple"

    with staffed(database_url) as staff:
        edi_posting.set_password(staff["pat"], "pat", prompt)  # one's own: no permission
        with pytest.raises(edi_posting.PermissionDeniedError):
            edi_posting.set_password(staff["pat"], "sam", prompt)
        edi_posting.set_password(staff["ada"], "sam", "another long passphrase")
        has_password = {u["name"]: u["password"] for u in edi_posting.list_users(staff["ada"])}
    assert asked == ["asked"]
    assert (has_password["pat"], has_password["sam"], has_password["aud"]) == (True, True, False)
