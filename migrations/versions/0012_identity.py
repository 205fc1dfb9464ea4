"""Identity and history the application role cannot forge.

* ``users.login``: the authenticated login (PostgreSQL role; OS user on SQLite) that acts
  as the user; existing users get their name as login.  ``users.password_hash``: argon2id,
  for the web application's logins.
* ``audit_events.db_login`` and hash definition v2 (``edi_posting.audit.events.event_hash``):
  the existing chain is re-sealed in v2 (events written before this have no login: NULL),
  and an ``audit.chain_resealed`` event records the old head, so a head exported before
  the upgrade can still be related to the chain (it is superseded by that event).
* PostgreSQL: a BEFORE INSERT trigger seals every audit event itself (sequence, time,
  ``session_user``, hashes, under the chain's advisory lock), whatever the client sent,
  and refuses an actor other than the user the session's login maps to.  User changes
  go through two SECURITY DEFINER functions that check the caller and write the row and
  its audit event together; ``db grant`` no longer gives the application role any write
  on ``users``, and this migration takes such rights away from roles that had them.

The owner runs migrations and may disable triggers anyway: it is the maintenance role.
Downgrading drops the columns, the trigger and the functions but leaves the chain in v2,
which the code before 0012 reports as edited.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from edi_posting.audit.events import GENESIS_HASH, chain_rows, event_hash, record_event
from edi_posting.records.states import AuditOutcome

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_LOCK_KEY = 0x45444950  # = edi_posting.db.workflow.AUDIT_CHAIN_LOCK_KEY (frozen here, as migrations are)

_PG_FUNCTIONS = [
    """
    CREATE FUNCTION edi_posting_hash_part(value text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN value IS NULL THEN '' ELSE '=' || value END $$
    """,
    # the schema owner (and members of it) or a superuser: maintenance, migrations
    """
    CREATE FUNCTION edi_posting_is_maintainer() RETURNS boolean LANGUAGE sql STABLE
    SET search_path = public, pg_temp AS $$
        SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
            OR pg_has_role(session_user,
                           (SELECT relowner FROM pg_class WHERE oid = 'public.users'::regclass),
                           'MEMBER')
    $$
    """,
    f"""
    CREATE FUNCTION edi_posting_audit_seal() RETURNS trigger LANGUAGE plpgsql
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
    """,
    # who may change users: an active admin mapped to the session's login (or the user
    # themself, for their own password); a maintainer (owner, superuser) acts as claimed
    """
    CREATE FUNCTION edi_posting_user_caller(p_actor text, p_self text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        c_name text;
        c_role text;
        c_active boolean;
    BEGIN
        SELECT name, role, is_active INTO c_name, c_role, c_active
            FROM users WHERE login = session_user;
        IF c_name IS NOT NULL THEN
            IF c_active AND (c_role = 'admin' OR c_name = p_self) THEN
                RETURN c_name;
            END IF;
            RAISE EXCEPTION 'permission denied: user % (login %) may not manage users',
                c_name, session_user USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF edi_posting_is_maintainer() THEN
            RETURN p_actor;
        END IF;
        RAISE EXCEPTION 'permission denied: login % is not mapped to any user', session_user
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE FUNCTION edi_posting_user_add(p_name text, p_login text, p_role text, p_actor text)
    RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        acting text;
        first boolean;
        granted text := p_role;
    BEGIN
        acting := edi_posting_user_caller(p_actor, NULL);
        LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;  -- one first user, not two
        first := NOT EXISTS (SELECT 1 FROM users);
        IF first THEN
            granted := 'admin';
        END IF;
        INSERT INTO audit_events (actor, role, action, object_type, object_id, outcome, summary)
        VALUES (acting, CASE WHEN first THEN 'admin' END, 'users.add', 'user', p_name, 'ok',
                json_build_object('role', granted, 'first_user', first, 'login', p_login));
        INSERT INTO users (name, login, role, is_active, created_by)
        VALUES (p_name, p_login, granted, true, acting);
        RETURN granted;
    END $$
    """,
    """
    CREATE FUNCTION edi_posting_user_change(p_name text, p_field text, p_value text,
                                            p_actor text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        acting text;
        o_role text;
        o_active boolean;
        shown json;
    BEGIN
        IF p_field NOT IN ('role', 'is_active', 'login', 'password_hash') THEN
            RAISE EXCEPTION 'not a user field: %', p_field;
        END IF;
        acting := edi_posting_user_caller(
            p_actor, CASE WHEN p_field = 'password_hash' THEN p_name END);
        SELECT role, is_active INTO o_role, o_active FROM users WHERE name = p_name FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no user %', p_name USING ERRCODE = 'no_data_found';
        END IF;
        shown := CASE p_field WHEN 'is_active' THEN to_json(p_value::boolean)
                              WHEN 'password_hash' THEN to_json('set'::text)
                              ELSE to_json(p_value) END;
        INSERT INTO audit_events (actor, role, action, object_type, object_id, outcome, summary)
        VALUES (acting, (SELECT role FROM users WHERE name = acting),
                'users.' || CASE p_field WHEN 'role' THEN 'role' WHEN 'is_active' THEN 'disable'
                                         WHEN 'login' THEN 'login' ELSE 'password' END,
                'user', p_name, 'ok',
                json_build_object('before', json_build_object('role', o_role,
                                                              'is_active', o_active),
                                  'after', json_build_object(
                                      CASE p_field WHEN 'password_hash' THEN 'password'
                                                   ELSE p_field END, shown)));
        UPDATE users SET
            role = CASE WHEN p_field = 'role' THEN p_value ELSE role END,
            is_active = CASE WHEN p_field = 'is_active' THEN p_value::boolean ELSE is_active END,
            login = CASE WHEN p_field = 'login' THEN p_value ELSE login END,
            password_hash = CASE WHEN p_field = 'password_hash' THEN p_value
                                 ELSE password_hash END
        WHERE name = p_name;
    END $$
    """,
]
_PG_DEFINERS = ("edi_posting_user_add(text, text, text, text)",
                "edi_posting_user_change(text, text, text, text)",
                "edi_posting_user_caller(text, text)")


def _users_columns() -> None:
    op.add_column("users", sa.Column("login", sa.String(length=128), nullable=True))
    op.add_column("users", sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.execute("UPDATE users SET login = name")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("login", existing_type=sa.String(length=128), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_login"), ["login"])


def _reseal(conn: sa.Connection) -> tuple[str, int]:
    """Every event's hashes again in v2; the head before (the genesis hash when empty)."""
    old_head, previous, count = GENESIS_HASH, GENESIS_HASH, 0
    for row in list(chain_rows(conn)):
        fields = {**dict(row._mapping), "previous_hash": previous}
        old_head, previous, count = row.event_hash, event_hash(fields), count + 1
        conn.execute(sa.text("UPDATE audit_events SET previous_hash = :p, event_hash = :h "
                             "WHERE sequence = :s"),
                     {"p": fields["previous_hash"], "h": previous, "s": row.sequence})
    return old_head, count


def _reseal_chain(conn: sa.Connection) -> tuple[str, int]:
    """The append-only trigger is set aside for this one statement list, by the owner."""
    if conn.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        resealed = _reseal(conn)
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
        return resealed
    op.execute("DROP TRIGGER audit_events_no_update")
    resealed = _reseal(conn)
    op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
               "SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused; "
               "corrections are new entries'); END")
    return resealed


def _postgres_objects() -> None:
    for statement in _PG_FUNCTIONS:
        op.execute(statement)
    op.execute("CREATE TRIGGER audit_events_seal BEFORE INSERT ON audit_events "
               "FOR EACH ROW EXECUTE FUNCTION edi_posting_audit_seal()")
    for function in _PG_DEFINERS:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    # roles granted before 0012 (db grant) lose every write on users
    op.execute("""
        DO $$ DECLARE grantee_name text; BEGIN
            FOR grantee_name IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                WHERE table_name = 'users' AND privilege_type IN ('INSERT', 'UPDATE', 'DELETE')
                  AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = 'users')
                  AND grantee <> 'PUBLIC'
            LOOP
                EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users FROM %I',
                               grantee_name);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s, %s TO %I',
                               'edi_posting_user_add(text, text, text, text)',
                               'edi_posting_user_change(text, text, text, text)', grantee_name);
            END LOOP;
        END $$
    """)


def upgrade() -> None:
    conn = op.get_bind()
    _users_columns()
    op.add_column("audit_events", sa.Column("db_login", sa.String(length=128), nullable=True))
    old_head, count = _reseal_chain(conn)
    if conn.dialect.name == "postgresql":
        _postgres_objects()
    if count:
        record_event(conn, actor="system", action="audit.chain_resealed", outcome=AuditOutcome.OK,
                     object_type="audit_chain", object_id="v2",
                     summary={"old_head": old_head, "events": count, "hash_version": 2,
                              "reason": "hash definition v2 (migration 0012); heads "
                                        "exported before this are superseded by this event"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_seal ON audit_events")
        for function in ("edi_posting_user_add(text, text, text, text)",
                         "edi_posting_user_change(text, text, text, text)",
                         "edi_posting_user_caller(text, text)", "edi_posting_audit_seal()",
                         "edi_posting_is_maintainer()", "edi_posting_hash_part(text)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_column("audit_events", "db_login")  # not a batch copy: it keeps the triggers
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_login"), type_="unique")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("login")
