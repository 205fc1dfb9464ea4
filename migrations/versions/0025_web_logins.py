"""The web workbench's own database login: ``users.role`` (and ``audit_events.role``) gain
``web``, and on PostgreSQL
the audit trigger lets a login mapped to a ``web`` user record events in the name of the
people the workbench authenticated.

Why: people who use the web workbench hold no database credentials; the server connects
with its own login and acts as the person who logged in with their password
(``edi_posting.api.web_login``).  Migration 0012's trigger accepts only the user the
session's login maps to, so the workbench's events (every page of PHI read, every action)
would be refused.  Now a login mapped to a ``web`` user may name as actor any *active*
user who is not itself ``web`` (and anyone in a refused event: a failed login records the
name that was typed).  The event still records ``db_login``, so the trail says the act
came through the workbench.  A ``web`` user is granted nothing by the permission matrix:
the login cannot act as itself.

Downgrading restores 0012's trigger and refuses while a user has the ``web`` role.

Revision ID: 0025
Revises: 0023
"""
from __future__ import annotations

from alembic import op

from edi_posting.audit.events import GENESIS_HASH
from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

_LOCK_KEY = 0x45444950  # = edi_posting.db.workflow.AUDIT_CHAIN_LOCK_KEY (frozen, as in 0012)
_ROLES = ("poster", "specialist", "lead", "auditor", "admin")
CHECKS: tuple[Check, ...] = (("users", "role", _ROLES, (*_ROLES, "web")),
                             ("audit_events", "role", _ROLES, (*_ROLES, "web")))
# audit_events.role may be NULL (0016: an event before any user existed)
_NULLABLE = {("audit_events", "role")}
# 0012's function, with the clause that lets a ``web`` login act for active people
_SEAL_WEB = (
    f"""
    CREATE OR REPLACE FUNCTION edi_posting_audit_seal() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_temp AS $$
    DECLARE
        mapped text;
        mapped_role text;
        head_sequence integer;
        head_hash text;
    BEGIN
        PERFORM pg_advisory_xact_lock({_LOCK_KEY});
        SELECT u.name, u.role INTO mapped, mapped_role FROM users u WHERE u.login = session_user;
        IF mapped IS NOT NULL THEN
            IF NEW.actor IS DISTINCT FROM mapped AND NEW.actor IS DISTINCT FROM 'system'
               AND NOT (mapped_role = 'web' AND (NEW.outcome = 'refused' OR EXISTS (
                   SELECT 1 FROM users p WHERE p.name = NEW.actor AND p.is_active
                   AND p.role IS DISTINCT FROM 'web'))) THEN
                RAISE EXCEPTION 'audit event refused: login % is user %, not %',
                    session_user, mapped, NEW.actor USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF NEW.outcome IS DISTINCT FROM 'refused' AND EXISTS (SELECT 1 FROM users)
              AND NOT edi_posting_is_maintainer() THEN
            RAISE EXCEPTION 'audit event refused: login % is not mapped to any user',
                session_user USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT a.sequence, a.event_hash INTO head_sequence, head_hash
            FROM audit_events a ORDER BY a.sequence DESC LIMIT 1;
        NEW.sequence := coalesce(head_sequence, 0) + 1;
        NEW.previous_hash := coalesce(head_hash, '{GENESIS_HASH}');
        NEW.at := clock_timestamp();
        NEW.db_login := session_user;
        NEW.event_hash := encode(sha256(convert_to(concat_ws(chr(31),
            edi_posting_hash_part(NEW.sequence::text),
            edi_posting_hash_part(to_char(NEW.at AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
            edi_posting_hash_part(NEW.db_login), edi_posting_hash_part(NEW.actor),
            edi_posting_hash_part(NEW.role), edi_posting_hash_part(NEW.action),
            edi_posting_hash_part(NEW.object_type), edi_posting_hash_part(NEW.object_id),
            edi_posting_hash_part(NEW.outcome), edi_posting_hash_part(NEW.summary::text),
            edi_posting_hash_part(NEW.previous_hash)), 'UTF8')), 'hex');
        RETURN NEW;
    END $$
    """
)
# 0012's function as it was, for the downgrade
_SEAL_0012 = (
    f"""
    CREATE OR REPLACE FUNCTION edi_posting_audit_seal() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_temp AS $$
    DECLARE
        mapped text;
        head_sequence integer;
        head_hash text;
    BEGIN
        PERFORM pg_advisory_xact_lock({_LOCK_KEY});
        SELECT u.name INTO mapped FROM users u WHERE u.login = session_user;
        IF mapped IS NOT NULL THEN
            IF NEW.actor IS DISTINCT FROM mapped AND NEW.actor IS DISTINCT FROM 'system' THEN
                RAISE EXCEPTION 'audit event refused: login % is user %, not %',
                    session_user, mapped, NEW.actor USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF NEW.outcome IS DISTINCT FROM 'refused' AND EXISTS (SELECT 1 FROM users)
              AND NOT edi_posting_is_maintainer() THEN
            RAISE EXCEPTION 'audit event refused: login % is not mapped to any user',
                session_user USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT a.sequence, a.event_hash INTO head_sequence, head_hash
            FROM audit_events a ORDER BY a.sequence DESC LIMIT 1;
        NEW.sequence := coalesce(head_sequence, 0) + 1;
        NEW.previous_hash := coalesce(head_hash, '{GENESIS_HASH}');
        NEW.at := clock_timestamp();
        NEW.db_login := session_user;
        NEW.event_hash := encode(sha256(convert_to(concat_ws(chr(31),
            edi_posting_hash_part(NEW.sequence::text),
            edi_posting_hash_part(to_char(NEW.at AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
            edi_posting_hash_part(NEW.db_login), edi_posting_hash_part(NEW.actor),
            edi_posting_hash_part(NEW.role), edi_posting_hash_part(NEW.action),
            edi_posting_hash_part(NEW.object_type), edi_posting_hash_part(NEW.object_id),
            edi_posting_hash_part(NEW.outcome), edi_posting_hash_part(NEW.summary::text),
            edi_posting_hash_part(NEW.previous_hash)), 'UTF8')), 'hex');
        RETURN NEW;
    END $$
    """
)


def upgrade() -> None:
    widen_checks(CHECKS, nullable=_NULLABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEAL_WEB)


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    widen_checks(CHECKS, before=True, nullable=_NULLABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEAL_0012)
