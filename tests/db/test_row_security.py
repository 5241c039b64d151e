"""Row-level security, in raw SQL as the app's own role (migrations/0015_owners.sql): whatever
statement the app runs, it sees and writes only the rows of the owner its transaction names,
and nothing when it names none; and the role has no way around that."""

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import asyncpg
import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg import sql

from app.api.app import create_app
from app.config import DEFAULT_APP_ROLE, Settings
from app.db import connections, queries
from app.db.pool import connect, create_pool
from tests.conftest import OTHER_OWNER, OWNER, auth_settings, bearer
from tests.db.factories import FullList, create_field, create_full_list, create_list

ACCESS = queries.load("access")

# How a row of each relation belongs to an owner, as a condition on the relation's row `r`
# (every other relation the app can read has a list_id: see owner_condition).
BY_OWNER = {
    # A deleted list is hidden with all it holds; its purge stays the owner's.
    "bookmark_lists": "r.owner = %(owner)s AND r.deleted_at IS NULL",
    "purges": "r.owner = %(owner)s",
    "field_value_counts": (
        "r.field_id IN (SELECT f.id FROM custom_fields AS f JOIN bookmark_lists AS l"
        " ON l.id = f.list_id WHERE l.owner = %(owner)s)"
    ),
}
BY_LIST = "r.list_id IN (SELECT l.id FROM bookmark_lists AS l WHERE l.owner = %(owner)s)"


@dataclass(frozen=True)
class Tenants:
    """Two full lists of OWNER, one of OTHER_OWNER, and one made before owners existed; and a
    deleted (empty) list of each owner, being purged."""

    alice: list[FullList]
    bob: FullList
    ownerless: uuid.UUID


@pytest.fixture
def tenants(postgresql: psycopg.Connection) -> Tenants:
    """Built and committed as the owning role, which row-level security does not restrict."""
    alice = [create_full_list(postgresql, owner=OWNER) for _ in range(2)]
    bob = create_full_list(postgresql, owner=OTHER_OWNER)
    ownerless = create_list(postgresql, owner="")
    for owner in (OWNER, OTHER_OWNER):
        postgresql.execute(
            "UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s",
            [create_list(postgresql, owner=owner)],
        )
    postgresql.commit()
    return Tenants(alice, bob, ownerless)


@pytest.fixture(params=["one server", "citus"])
def policy_form(postgresql: psycopg.Connection, request: pytest.FixtureRequest) -> str:
    """The policies as one server has them (three read the list once per statement), or as
    Citus requires them (compared per row, no subquery: migrations/0032). The same rows."""
    for_citus = request.param == "citus"
    row = postgresql.execute(
        "SELECT tenant_policies_apply(for_citus => %s)", [for_citus]
    ).fetchone()
    postgresql.commit()
    assert row == (request.param,)
    return str(request.param)


def test_on_one_server_the_tables_read_by_many_rows_read_the_list_once(
    postgresql: psycopg.Connection,
) -> None:
    # In a subquery (an InitPlan): once per statement, not per row read; elsewhere per row,
    # which a subquery's planning would cost more than it saves (migrations/0039).
    policies = (
        "SELECT c.relname, pg_get_expr(p.polqual, p.polrelid) ~ '\\(\\s*SELECT\\s'"
        " FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid"
    )
    once = {"videos", "video_field_values", "field_value_counts"}
    for for_citus, expected in ((False, once), (True, set())):
        postgresql.execute("SELECT tenant_policies_apply(for_citus => %s)", [for_citus])
        rows = postgresql.execute(policies).fetchall()
        assert {table for table, subquery in rows if subquery} == expected
    postgresql.execute("SELECT tenant_policies_apply()")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The app's settings for this database: app_url logs in as the app role."""
    return Settings(database_url=database_url)


@asynccontextmanager
async def as_app(
    settings: Settings, owner: str | None, list_id: uuid.UUID | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the app role, inside a transaction that names `owner` (None: names
    nobody) and, given `list_id`, asks to enter that list, the way the app does. Committed when
    the block ends."""
    conn = await connect(settings)
    try:
        async with conn.transaction():
            if list_id is not None:
                await conn.execute(ACCESS["set_transaction"].text, ["app.owner"], [owner], list_id)
            elif owner is not None:
                await conn.execute(ACCESS["set_owner"].text, owner)
            yield conn
    finally:
        await conn.close()


async def refusal(conn: asyncpg.Connection, statement: str, *args: Any) -> asyncpg.PostgresError:
    """The error of a statement that must fail; run in a savepoint, so the transaction goes on."""
    with pytest.raises(asyncpg.PostgresError) as info:
        async with conn.transaction():
            await conn.execute(statement, *args)
    return info.value


def by_row_security(error: asyncpg.PostgresError) -> bool:
    refused = isinstance(error, asyncpg.InsufficientPrivilegeError)
    return refused and "row-level security" in str(error)


PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
DML = {"SELECT", "INSERT", "UPDATE", "DELETE"}
HAS_LIST_ID = (
    "EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid"
    " AND a.attname = 'list_id' AND NOT a.attisdropped)"
)


def relations(conn: psycopg.Connection, kinds: str, where: str = "true") -> set[str]:
    """Names of our relations in public of these relkinds; `where` is a fixed condition on c."""
    query = sql.SQL(
        "SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = 'public'::regnamespace"
        " AND c.relkind = ANY (%s) AND c.relname !~ '^(_yoyo_|yoyo_lock)' AND {}"
    ).format(sql.SQL(where))
    return {name for (name,) in conn.execute(query, [list(kinds)])}


def privileges_of_the_app_role(conn: psycopg.Connection) -> dict[str, set[str]]:
    """Each relation in public (yoyo's too) on which the app role has some privilege."""
    rows = conn.execute(
        "SELECT c.relname, p.privilege FROM pg_class AS c CROSS JOIN unnest(%s::text[]) AS p"
        " (privilege) WHERE c.relnamespace = 'public'::regnamespace"
        " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        " AND has_table_privilege(%s, c.oid, p.privilege)",
        [list(PRIVILEGES), DEFAULT_APP_ROLE],
    ).fetchall()
    found: dict[str, set[str]] = {}
    for relation, privilege in rows:
        found.setdefault(relation, set()).add(privilege)
    return found


def app_may(conn: psycopg.Connection, privilege: str) -> list[str]:
    """The relations the app role has this privilege on."""
    return sorted(
        name for name, had in privileges_of_the_app_role(conn).items() if privilege in had
    )


def tables_of_owners(conn: psycopg.Connection) -> set[str]:
    """Every table with a list_id, and those whose rows belong to an owner another way."""
    return relations(conn, "rp", HAS_LIST_ID) | set(BY_OWNER)


def owner_condition(conn: psycopg.Connection, relation: str) -> str:
    if relation in BY_OWNER:
        return BY_OWNER[relation]
    assert relation in relations(conn, "rpv", HAS_LIST_ID), f"whose is a row of {relation}?"
    return BY_LIST


# The relations whose rows a transaction that entered a list sees of that list only
# (migrations/0033): every one with a list_id but the purges, which are the owner's.
IN_THE_ENTERED_LIST = "r.list_id = %(list_id)s"


def rows_of(
    conn: psycopg.Connection, relation: str, owner: str, entered: uuid.UUID | None = None
) -> list[str]:
    """The owner's rows of a relation, as JSON text, read as the owning role; of the entered
    list only where a transaction that entered it sees no other."""
    condition = owner_condition(conn, relation)
    if (
        entered is not None
        and relation != "purges"
        and relation in relations(conn, "rpv", HAS_LIST_ID)
    ):
        condition = f"{condition} AND {IN_THE_ENTERED_LIST}"
    query = sql.SQL("SELECT to_jsonb(r)::text FROM {} AS r WHERE {}").format(
        sql.Identifier(relation), sql.SQL(condition)
    )
    return sorted(row[0] for row in conn.execute(query, {"owner": owner, "list_id": entered}))


def everything(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Every row of every relation the app can read, as JSON text, read as the owning role."""
    return {
        relation: sorted(
            row[0]
            for row in conn.execute(
                sql.SQL("SELECT to_jsonb(r)::text FROM {} AS r").format(sql.Identifier(relation))
            )
        )
        for relation in app_may(conn, "SELECT")
    }


async def seen(conn: asyncpg.Connection, relation: str) -> list[str]:
    """The rows of a relation this connection sees, as JSON text."""
    # The relation's name comes from the catalog, never from input.
    query = f'SELECT to_jsonb(r)::text FROM "{relation}" AS r'  # noqa: S608
    return sorted(row[0] for row in await conn.fetch(query))


@pytest.mark.parametrize("entering", ["no list", "the first list of OWNER", "bob's list"])
@pytest.mark.usefixtures("policy_form")
async def test_the_app_role_sees_exactly_the_callers_rows_of_every_table_and_view(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants, entering: str
) -> None:
    # A transaction that entered one of its owner's lists (migrations/0032) sees that list's
    # rows only (0033), and its owner's lists and purges; another owner's list is not entered,
    # and the transaction sees all its owner's rows, as with no list.
    list_id = {
        "no list": None,
        "the first list of OWNER": tenants.alice[0].list_id,
        "bob's list": tenants.bob.list_id,
    }[entering]
    lists_of = {OWNER: [mine.list_id for mine in tenants.alice], OTHER_OWNER: [tenants.bob.list_id]}
    readable = app_may(postgresql, "SELECT")
    assert {"videos", "video_field_values", "field_fill", "field_value_counts"} <= set(readable)
    for owner in (OWNER, OTHER_OWNER):
        entered = list_id if list_id in lists_of[owner] else None
        async with as_app(settings, owner, list_id) as conn:
            assert await conn.fetchval("SELECT current_list()") == entered
            for relation in readable:
                theirs = rows_of(postgresql, relation, owner, entered)
                assert theirs, f"{relation} has no row of {owner}: the test proves nothing"
                assert await seen(conn, relation) == theirs, (owner, relation)


@pytest.mark.usefixtures("policy_form")
async def test_a_transaction_in_its_list_reads_and_writes_that_list_only(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    """Once a list is entered, a row of another list costs the policies no read of the
    caller's lists (migrations/0033: a trigger's join met thousands): owner_list_ids() has none
    to give, and a statement over every list reads and writes the entered one's rows only."""
    mine, other_of_mine = tenants.alice[0], tenants.alice[1]
    async with as_app(settings, OWNER, mine.list_id) as conn:
        assert await conn.fetchval("SELECT owner_list_ids()") is None
        assert await conn.fetchval("SELECT count(*) FROM videos") == 1
        renamed = await conn.execute("UPDATE custom_fields SET name = name || ' (renamed)'")
        assert renamed == "UPDATE 1"
        refused = await refusal(
            conn,
            "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'new', 'New')",
            other_of_mine.list_id,
        )
        assert by_row_security(refused)
    async with as_app(settings, OWNER) as conn:  # naming only the owner: all its lists
        assert sorted(await conn.fetchval("SELECT owner_list_ids()")) == sorted(
            [mine.list_id, other_of_mine.list_id]
        )
        assert await conn.fetchval("SELECT count(*) FROM videos") == 2
    renamed_fields = postgresql.execute(
        "SELECT list_id FROM custom_fields WHERE name LIKE '%% (renamed)'"
    ).fetchall()
    assert renamed_fields == [(mine.list_id,)]


@pytest.mark.usefixtures("policy_form")
async def test_naming_nobody_shows_no_row_of_any_table_or_view(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    assert all(everything(postgresql).values())
    # Not naming anyone, and naming the empty owner of the lists made before owners existed;
    # and naming nobody but a list, set by hand (set_transaction would not enter it).
    for owner, list_id in [(None, None), ("", None), (None, tenants.bob.list_id)]:
        async with as_app(settings, owner) as conn:
            if list_id is not None:
                await conn.execute("SELECT set_config('app.list_id', $1, true)", str(list_id))
            assert await conn.fetchval("SELECT current_owner()") is None
            assert await conn.fetchval("SELECT current_list()") is None
            for relation in app_may(postgresql, "SELECT"):
                assert await seen(conn, relation) == [], (owner, relation)
            for table in app_may(postgresql, "UPDATE"):
                # Nothing to change either (no owner column is touched: the table's own
                # list_id, set to itself).
                column = "list_id" if table != "bookmark_lists" else "name"
                changed = await conn.execute(f'UPDATE "{table}" SET {column} = {column}')  # noqa: S608
                assert changed == "UPDATE 0", (owner, table)


# A row of each tenant table that belongs in another owner's list (`theirs`: that owner's full
# list). test_every_tenant_table_is_tried_here fails until a new tenant table has one.
FOREIGN_ROWS: dict[str, tuple[str, Callable[[FullList], list[Any]]]] = {
    "bookmark_lists": (
        "INSERT INTO bookmark_lists (owner, name) VALUES ($1, 'Planted')",
        lambda theirs: [OTHER_OWNER],
    ),
    "videos": (
        "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'planted', 'Planted')",
        lambda theirs: [theirs.list_id],
    ),
    "custom_fields": (
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'Planted', 'boolean', '{}')",
        lambda theirs: [theirs.list_id],
    ),
    "field_schemas": (
        "INSERT INTO field_schemas (list_id, name) VALUES ($1, 'Planted')",
        lambda theirs: [theirs.list_id],
    ),
    "schema_fields": (
        "INSERT INTO schema_fields (list_id, schema_id, field_id, display_order)"
        " VALUES ($1, $2, $3, 7)",
        lambda theirs: [theirs.list_id, theirs.schema_id, theirs.field_id],
    ),
    "tags": (
        "INSERT INTO tags (list_id, name) VALUES ($1, 'Planted')",
        lambda theirs: [theirs.list_id],
    ),
    "video_tags": (
        "INSERT INTO video_tags (list_id, video_id, tag_id) VALUES ($1, $2, $3)",
        lambda theirs: [theirs.list_id, theirs.video_id, theirs.tag_id],
    ),
    "video_field_values": (
        "INSERT INTO video_field_values (list_id, video_id, field_id, field_type, value_numeric)"
        " VALUES ($1, $2, $3, 'rating', 1)",
        lambda theirs: [theirs.list_id, theirs.video_id, theirs.field_id],
    ),
    "purges": (
        "INSERT INTO purges (owner, list_id) VALUES ($1, $2)",
        lambda theirs: [OTHER_OWNER, theirs.list_id],
    ),
}


KEPT_COUNTS = ("list_video_counts", "field_value_counts")


async def test_the_app_role_reads_the_kept_counts_and_only_their_triggers_write_them(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    # Writable by the app role, a psql session as it made them disagree with the rows (0060).
    privileges = privileges_of_the_app_role(postgresql)
    assert {table: privileges[table] for table in KEPT_COUNTS} == {
        table: {"SELECT"} for table in KEPT_COUNTS
    }
    mine = tenants.alice[0]
    videos = "SELECT sum(count) FROM list_video_counts WHERE list_id = $1"
    ratings = "SELECT sum(count) FROM field_value_counts WHERE field_id = $1"
    async with as_app(settings, OWNER, mine.list_id) as conn:
        for statement, args in [
            ("UPDATE list_video_counts SET count = count + 100", []),
            ("DELETE FROM field_value_counts", []),
            (
                "INSERT INTO list_video_counts (list_id, slot, count) VALUES ($1, 0, 1)",
                [mine.list_id],
            ),
            ("SELECT list_video_counts_add(ARRAY[$1::uuid], ARRAY[100])", [mine.list_id]),
        ]:
            refused = await refusal(conn, statement, *args)
            assert isinstance(refused, asyncpg.InsufficientPrivilegeError), statement
        # The role's writes of rows still move them, through the triggers.
        before = await conn.fetchval(videos, mine.list_id)
        await conn.execute(
            "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'counted', 'Counted')",
            mine.list_id,
        )
        assert await conn.fetchval(videos, mine.list_id) == before + 1
        assert await conn.fetchval(ratings, mine.field_id) == 1
        await conn.execute("DELETE FROM video_field_values WHERE field_id = $1", mine.field_id)
        assert await conn.fetchval(ratings, mine.field_id) == 0


def test_every_tenant_table_is_tried_here(postgresql: psycopg.Connection) -> None:
    assert set(app_may(postgresql, "INSERT")) == set(FOREIGN_ROWS)


def masked(error: asyncpg.PostgresError, ids: FullList) -> tuple[str, str]:
    """The error's SQLSTATE and message, each id of `ids` written as its name."""
    message = str(error)
    for name, value in asdict(ids).items():
        message = message.replace(str(value), f"<{name}>")
    return error.sqlstate, message


@pytest.mark.parametrize("table", sorted(FOREIGN_ROWS))
@pytest.mark.usefixtures("policy_form")
async def test_a_row_in_another_owners_list_is_refused_as_if_the_list_did_not_exist(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants, table: str
) -> None:
    statement, args = FOREIGN_ROWS[table]
    nowhere = FullList(*(uuid.uuid4() for _ in fields(FullList)))
    before = everything(postgresql)
    # Asking to enter bob's list changes nothing: it is not entered.
    async with as_app(settings, OWNER, tenants.bob.list_id) as conn:
        error = await refusal(conn, statement, *args(tenants.bob))
        unknown = await refusal(conn, statement, *args(nowhere))
    assert masked(error, tenants.bob) == masked(unknown, nowhere)
    # The policy's WITH CHECK; or before it, a rules trigger that looks the video up under
    # row-level security too (video_field_values) and finds none.
    assert by_row_security(error) or "does not exist" in str(error), error
    assert everything(postgresql) == before


@pytest.mark.usefixtures("policy_form")
async def test_another_owners_rows_are_untouched_by_updates_and_deletes_of_every_row(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    bobs = {table: rows_of(postgresql, table, OTHER_OWNER) for table in FOREIGN_ROWS}
    alices = {table: len(rows_of(postgresql, table, OWNER)) for table in FOREIGN_ROWS}
    key = {"bookmark_lists": "name", "field_value_counts": "count"}
    async with as_app(settings, OWNER) as conn:
        for table in FOREIGN_ROWS:
            column = key.get(table, "list_id")
            # No WHERE: every row the statement could touch. Names come from FOREIGN_ROWS.
            updated = await conn.execute(f"UPDATE {table} SET {column} = {column}")  # noqa: S608
            assert updated == f"UPDATE {alices[table]}", table
        # Bob's rows named by id: nothing to update or delete.
        bob = tenants.bob
        renamed = await conn.execute(
            "UPDATE videos SET title = 'Taken' WHERE id = $1", bob.video_id
        )
        assert renamed == "UPDATE 0"
        assert await conn.execute("DELETE FROM videos WHERE id = $1", bob.video_id) == "DELETE 0"
        assert await conn.execute("DELETE FROM bookmark_lists WHERE id = $1", bob.list_id) == (
            "DELETE 0"
        )
        deleted = await conn.execute("DELETE FROM bookmark_lists")
        assert deleted == f"DELETE {len(tenants.alice)}"
    assert {table: rows_of(postgresql, table, OTHER_OWNER) for table in FOREIGN_ROWS} == bobs
    assert not rows_of(postgresql, "videos", OWNER)


@pytest.mark.usefixtures("policy_form")
async def test_a_row_cannot_be_moved_or_given_to_another_owner(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    mine, theirs = tenants.alice[0], tenants.bob
    before = everything(postgresql)
    async with as_app(settings, OWNER) as conn:
        error = await refusal(
            conn, "UPDATE bookmark_lists SET owner = $2 WHERE id = $1", mine.list_id, OTHER_OWNER
        )
        assert by_row_security(error), error
        # A row stays in its list whoever's it is (0051): refused before the policy's check.
        for table, row in (("videos", mine.video_id), ("custom_fields", mine.field_id)):
            statement = f"UPDATE {table} SET list_id = $2 WHERE id = $1"  # noqa: S608
            error = await refusal(conn, statement, row, theirs.list_id)
            assert isinstance(error, asyncpg.CheckViolationError), (statement, error)
            assert error.constraint_name == f"{table}_list_fixed", (statement, error)
    assert everything(postgresql) == before


async def test_a_new_list_is_the_callers_and_nobody_can_make_one(
    postgresql: psycopg.Connection, settings: Settings
) -> None:
    async with as_app(settings, OWNER) as conn:
        made = await conn.fetchrow("INSERT INTO bookmark_lists (name) VALUES ('Mine') RETURNING *")
        assert made is not None and made["owner"] == OWNER
    async with as_app(settings, None) as conn:
        for statement in (
            "INSERT INTO bookmark_lists (name) VALUES ('Nobody''s')",
            "INSERT INTO bookmark_lists (owner, name) VALUES ('', 'Nobody''s')",
        ):
            error = await refusal(conn, statement)
            assert by_row_security(error), (statement, error)
    rows = postgresql.execute("SELECT owner, name FROM bookmark_lists").fetchall()
    assert rows == [(OWNER, "Mine")]


@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
async def test_a_pooled_connection_forgets_its_last_owner(
    settings: Settings, tenants: Tenants, first_ends: str
) -> None:
    """One connection in the app's pool, borrowed the app's way by one owner then another."""
    pool = await create_pool(replace(settings, pool_min_size=1, pool_max_size=1))
    try:
        mine = tenants.alice[0].list_id
        conn, tx = await connections.begin(pool, owner=OWNER, list_id=mine, settings=settings)
        first_session = conn.get_server_pid()
        assert await conn.fetchval("SELECT current_list()") == mine
        assert await conn.fetchval("SELECT count(*) FROM videos") == 1  # of the list entered
        if first_ends == "commit":
            await connections.commit(conn, tx)
        else:
            await connections.rollback(conn, tx)
        # The owner and the list end with the transaction, before the pool's reset on release.
        assert await conn.fetchval("SELECT current_owner()") is None
        assert await conn.fetchval("SELECT current_list()") is None
        await connections.release(pool, conn)

        async with pool.acquire() as conn:
            assert conn.get_server_pid() == first_session  # the same session, reused
            # Outside any transaction: nobody.
            assert await conn.fetchval("SELECT current_setting('app.owner', true)") in ("", None)
            assert await conn.fetchval("SELECT count(*) FROM bookmark_lists") == 0

        conn, tx = await connections.begin(pool, owner=OTHER_OWNER, list_id=mine, settings=settings)
        assert conn.get_server_pid() == first_session
        assert await conn.fetchval("SELECT current_list()") is None
        videos = await conn.fetch("SELECT id FROM videos")
        assert [row["id"] for row in videos] == [tenants.bob.video_id]
        await connections.rollback(conn, tx)
        await connections.release(pool, conn)
    finally:
        # Not close(): after a failed assertion it would wait for the borrowed connection.
        pool.terminate()


async def test_a_transaction_enters_only_a_live_list_of_its_caller(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    deleted = postgresql.execute(
        "SELECT id FROM bookmark_lists WHERE owner = %s AND deleted_at IS NOT NULL", [OWNER]
    ).fetchone()
    assert deleted is not None
    mine = tenants.alice[0].list_id
    asked: dict[str, tuple[str | None, uuid.UUID | None, uuid.UUID | None]] = {
        "its own list": (OWNER, mine, mine),
        "another owner's list": (OWNER, tenants.bob.list_id, None),
        "its deleted list": (OWNER, deleted[0], None),
        "a list that does not exist": (OWNER, uuid.uuid4(), None),
        "no list": (OWNER, None, None),
        "a list, naming nobody": (None, mine, None),
    }
    conn = await connect(settings)
    try:
        for case, (owner, list_id, entered) in asked.items():
            async with conn.transaction():
                # A list slipped in among the settings is overruled by the checked one.
                names, values = ["app.owner", "app.list_id"], [owner or "", str(mine)]
                said = ACCESS["set_transaction"].text
                assert await conn.fetchval(said, names, values, list_id) == entered, case
                assert await conn.fetchval("SELECT current_list()") == entered, case
    finally:
        await conn.close()


def role_oid(conn: psycopg.Connection, role: str) -> int:
    row = conn.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [role]).fetchone()
    assert row is not None, f"no role {role}"
    return int(row[0])


def test_the_app_role_is_a_plain_login_that_owns_nothing_and_is_no_other_role(
    postgresql: psycopg.Connection,
) -> None:
    row = postgresql.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, rolinherit,"
        " rolcanlogin FROM pg_roles WHERE rolname = %s",
        [DEFAULT_APP_ROLE],
    ).fetchone()
    assert row == (False, False, False, False, False, False, True)
    oid = role_oid(postgresql, DEFAULT_APP_ROLE)
    for catalog, owner_column in [
        ("pg_class", "relowner"),
        ("pg_proc", "proowner"),
        ("pg_type", "typowner"),
        ("pg_namespace", "nspowner"),
        ("pg_database", "datdba"),
    ]:
        query = sql.SQL("SELECT count(*) FROM {} WHERE {} = %s").format(
            sql.Identifier(catalog), sql.Identifier(owner_column)
        )
        assert postgresql.execute(query, [oid]).fetchone() == (0,), catalog
    # A member of the owning role could SET ROLE to it and bypass everything.
    memberships = postgresql.execute(
        "SELECT count(*) FROM pg_auth_members WHERE member = %s", [oid]
    )
    assert memberships.fetchone() == (0,)


async def test_the_app_role_can_change_neither_the_schema_nor_its_own_rights(
    postgresql: psycopg.Connection, settings: Settings
) -> None:
    row = postgresql.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'videos'")
    owner = row.fetchone()
    assert owner is not None
    statements = [
        "CREATE TABLE planted (x int)",
        "CREATE FUNCTION planted() RETURNS int LANGUAGE sql RETURN 1",
        "ALTER TABLE videos ADD COLUMN planted int",
        "ALTER TABLE videos DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE videos NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY videos_of_owner ON videos",
        "CREATE POLICY planted ON videos USING (true)",
        "DROP TABLE videos",
        "TRUNCATE videos",
        "TRUNCATE bookmark_lists CASCADE",
        f'SET ROLE "{owner[0]}"',
        f"ALTER ROLE {DEFAULT_APP_ROLE} BYPASSRLS",
        "SELECT * FROM _yoyo_migration",
    ]
    async with as_app(settings, OWNER) as conn:
        for statement in statements:
            error = await refusal(conn, statement)
            assert isinstance(error, asyncpg.InsufficientPrivilegeError), (statement, error)
        # Turning row-level security off does not show everything: the read is refused.
        await conn.execute("SET LOCAL row_security = off")
        error = await refusal(conn, "SELECT count(*) FROM videos")
        assert by_row_security(error), error


async def test_the_app_role_may_create_no_temporary_object(
    postgresql: psycopg.Connection, settings: Settings
) -> None:
    # Rights on a database are not cloned with the template: make migrate runs app_role_ensure
    # on the database itself, as here, which takes TEMPORARY from PUBLIC.
    postgresql.execute("SELECT app_role_ensure(%s, NULL)", [DEFAULT_APP_ROLE])
    postgresql.commit()
    row = postgresql.execute(
        "SELECT has_database_privilege(%s, current_database(), 'TEMPORARY'),"
        " has_database_privilege(current_user, current_database(), 'TEMPORARY')",
        [DEFAULT_APP_ROLE],
    )
    assert row.fetchone() == (False, True)
    statements = [
        "CREATE TEMP TABLE planted (x int)",
        "CREATE TEMP VIEW planted AS SELECT 1",
        "CREATE FUNCTION pg_temp.planted() RETURNS int LANGUAGE sql RETURN 1",
    ]
    async with as_app(settings, OWNER) as conn:
        for statement in statements:
            error = await refusal(conn, statement)
            assert isinstance(error, asyncpg.InsufficientPrivilegeError), (statement, error)


async def estimated_rows(conn: Any, statement: str, *args: Any) -> float:
    plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *args)
    return float(json.loads(plan)[0]["Plan"]["Plan Rows"])


@pytest.mark.usefixtures("policy_form")
async def test_the_policies_leave_row_estimates_to_the_querys_own_conditions(
    postgresql: psycopg.Connection, settings: Settings
) -> None:
    # A database shared by many owners (migrations/0018): a policy the planner estimated as
    # ten equalities with an unknown array (1 - (1 - 1/lists)^10 of the rows, multiplied with
    # the query's own list_id = $1) made it think a list 20 times smaller here, and 300 times
    # with 3,000 lists, where walks newest first turned into reads of every match and a sort.
    list_id = create_list(postgresql, owner=OWNER)
    field_id = create_field(postgresql, list_id=list_id)
    postgresql.execute(
        "INSERT INTO videos (list_id, youtube_id, title) SELECT %s, 'v' || n, 'A video'"
        " FROM generate_series(1, 400) AS n",
        [list_id],
    )
    postgresql.execute(
        "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
        " SELECT id, %s, 1 + (hashtext(id::text) & 3) FROM videos WHERE list_id = %s",
        [field_id, list_id],
    )
    for _ in range(200):  # other owners' lists, a video and a value each
        create_full_list(postgresql, owner=OTHER_OWNER)
    postgresql.execute("ANALYZE")
    postgresql.commit()
    by_list = "SELECT * FROM videos WHERE list_id = $1"
    by_field = "SELECT * FROM video_field_values WHERE field_id = $1 AND value_numeric >= 2"
    owner = await asyncpg.connect(settings.database_url)
    try:
        expected = [
            await estimated_rows(owner, by_list, list_id),
            await estimated_rows(owner, by_field, field_id),
        ]
    finally:
        await owner.close()
    async with as_app(settings, OWNER) as conn:
        under_rls = [
            await estimated_rows(conn, by_list, list_id),
            await estimated_rows(conn, by_field, field_id),
        ]
    assert expected[0] > 300 and expected[1] > 200, expected
    for rls, own in zip(under_rls, expected, strict=True):
        assert own * 0.9 <= rls <= own, (under_rls, expected)


async def test_a_temporary_table_cannot_stand_in_for_the_lists_the_policies_read(
    postgresql: psycopg.Connection, settings: Settings, tenants: Tenants
) -> None:
    # The policies ask owner_list_ids(), and set_transaction() which list to enter, whose
    # bodies resolve table names when they run, and the caller's pg_temp comes first for
    # tables: a session's own "bookmark_lists" must not be what they read.
    bob = tenants.bob
    async with as_app(settings, OWNER) as conn:
        await conn.execute("CREATE TEMPORARY TABLE bookmark_lists (id uuid) ON COMMIT DROP")
        await conn.execute("CREATE TEMPORARY TABLE custom_fields (id uuid) ON COMMIT DROP")
        await conn.execute("INSERT INTO pg_temp.bookmark_lists VALUES ($1)", bob.list_id)
        await conn.execute("INSERT INTO pg_temp.custom_fields VALUES ($1)", bob.field_id)
        assert bob.list_id not in await conn.fetchval("SELECT owner_list_ids()")
        entered = await conn.fetchval(
            ACCESS["set_transaction"].text, ["app.owner"], [OWNER], bob.list_id
        )
        assert entered is None
        by_list = "SELECT count(*) FROM public.videos WHERE list_id = $1"
        by_field = "SELECT count(*) FROM public.{} WHERE field_id = $1"
        assert await conn.fetchval(by_list, bob.list_id) == 0
        for table in ("video_field_values", "field_value_counts"):
            assert await conn.fetchval(by_field.format(table), bob.field_id) == 0, table


def test_the_app_role_may_use_the_tenant_tables_and_read_the_views_and_nothing_else(
    postgresql: psycopg.Connection,
) -> None:
    expected = {table: DML for table in tables_of_owners(postgresql)}
    expected |= {view: {"SELECT"} for view in relations(postgresql, "v")}
    expected |= {table: {"SELECT"} for table in KEPT_COUNTS}  # their triggers write them
    assert privileges_of_the_app_role(postgresql) == expected
    assert {"videos", "field_value_counts", "field_fill"} <= set(expected)
    for schema_privilege in ("CREATE", "USAGE"):
        row = postgresql.execute(
            "SELECT has_schema_privilege(%s, 'public', %s)", [DEFAULT_APP_ROLE, schema_privilege]
        ).fetchone()
        assert row == (schema_privilege == "USAGE",), schema_privilege


def test_every_table_of_owners_forces_row_level_security_with_a_policy(
    postgresql: psycopg.Connection,
) -> None:
    tables = tables_of_owners(postgresql) | set(privileges_of_the_app_role(postgresql))
    tables -= relations(postgresql, "v")
    unguarded = postgresql.execute(
        "SELECT c.relname FROM pg_class AS c WHERE c.relname = ANY (%s)"
        " AND c.relnamespace = 'public'::regnamespace"
        " AND NOT (c.relrowsecurity AND c.relforcerowsecurity"
        " AND EXISTS (SELECT FROM pg_policy AS p WHERE p.polrelid = c.oid))",
        [sorted(tables)],
    ).fetchall()
    assert unguarded == []
    assert set(FOREIGN_ROWS) <= tables


def test_every_view_reads_with_the_callers_rights(postgresql: psycopg.Connection) -> None:
    views = relations(postgresql, "v")
    invoker = relations(postgresql, "v", "'security_invoker=true' = ANY (c.reloptions)")
    assert views == invoker == {"field_fill", "video_field_values_readable"}
    # A materialized view cannot: it would show every owner's rows.
    assert relations(postgresql, "m") == set()


def test_the_indexed_comparisons_are_leakproof_after_a_superuser_migrated(
    postgresql: psycopg.Connection,
) -> None:
    assert postgresql.execute("SELECT app_comparisons_leakproof()").fetchone() == (True,)


@pytest.mark.parametrize(
    "options",
    ["LOGIN SUPERUSER", "LOGIN BYPASSRLS", "LOGIN CREATEROLE", "LOGIN CREATEDB", "NOLOGIN"],
)
def test_app_role_ensure_refuses_a_role_that_could_bypass_row_level_security(
    database_url: str, options: str
) -> None:
    role = f"app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(role)))
        try:
            with pytest.raises(psycopg.errors.RaiseException, match="must be a plain LOGIN role"):
                conn.execute("SELECT app_role_ensure(%s, NULL)", [role])
            # Nothing granted (a superuser would have every privilege anyway: read the ACLs).
            granted = conn.execute(
                "SELECT count(*) FROM pg_class AS c, aclexplode(c.relacl) AS a"
                " WHERE a.grantee = %s",
                [role_oid(conn, role)],
            )
            assert granted.fetchone() == (0,)
        finally:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.mark.parametrize("power", ["SUPERUSER", "BYPASSRLS", "CREATEROLE"])
def test_app_role_ensure_refuses_a_member_of_a_role_that_could(
    database_url: str, power: str
) -> None:
    # What the app role may become (SET ROLE) counts: before 0054, granted a superuser role it
    # passed, and read every owner's rows after SET ROLE.
    role, above = (f"app_{uuid.uuid4().hex[:12]}" for _ in range(2))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} " + power).format(sql.Identifier(above)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(above), sql.Identifier(role)))
        try:
            with pytest.raises(psycopg.errors.RaiseException, match=f"is a member of {above}"):
                conn.execute("SELECT app_role_ensure(%s, NULL)", [role])
        finally:
            conn.execute(sql.SQL("DROP ROLE {}, {}").format(*map(sql.Identifier, (role, above))))


def test_app_role_ensure_takes_back_what_the_app_does_not_need(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        app = sql.Identifier(DEFAULT_APP_ROLE)
        conn.execute(sql.SQL("GRANT TRUNCATE, REFERENCES, TRIGGER ON videos TO {}").format(app))
        conn.execute(sql.SQL("GRANT SELECT ON _yoyo_migration TO {}").format(app))
        conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(app))
        conn.execute("SELECT app_role_ensure(%s, NULL)", [DEFAULT_APP_ROLE])
        granted = conn.execute(
            "SELECT c.relname, a.privilege_type FROM pg_class AS c, aclexplode(c.relacl) AS a"
            " WHERE a.grantee = %s AND c.relnamespace = 'public'::regnamespace",
            [role_oid(conn, DEFAULT_APP_ROLE)],
        ).fetchall()
        may_create = conn.execute(
            "SELECT has_schema_privilege(%s, 'public', 'CREATE')", [DEFAULT_APP_ROLE]
        ).fetchone()
    by_table: dict[str, set[str]] = {}
    for table, privilege in granted:
        by_table.setdefault(table, set()).add(privilege)
    assert by_table["videos"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert "_yoyo_migration" not in by_table
    assert may_create == (False,)


def test_app_role_ensure_refuses_a_role_that_owns_a_table(database_url: str) -> None:
    role = f"app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        try:
            conn.execute("CREATE TABLE owned_by_app (x int)")
            conn.execute(
                sql.SQL("ALTER TABLE owned_by_app OWNER TO {}").format(sql.Identifier(role))
            )
            with pytest.raises(psycopg.errors.RaiseException, match="must own no table"):
                conn.execute("SELECT app_role_ensure(%s, NULL)", [role])
        finally:
            conn.execute("DROP TABLE IF EXISTS owned_by_app")
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


async def test_the_apps_sessions_are_the_app_roles(database_url: str) -> None:
    app = create_app(auth_settings(database_url))
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/lists", headers=bearer(OWNER))
        assert response.status_code == 200, response.text
        with psycopg.connect(database_url, autocommit=True) as conn:
            sessions = conn.execute(
                "SELECT usename FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'custom-fields-sql'"
            ).fetchall()
    assert sessions, "the app's pool keeps no session"
    assert {user for (user,) in sessions} == {DEFAULT_APP_ROLE}
