"""Ready for Citus, distributed by list_id (README, Scaling out): the rules Citus puts on the
keys of distributed tables, checked against the migrated schema. Citus cannot be installed
here; each rule cites where Citus states it.

The rules that do not hold yet are named in GAPS, one entry per key. A change that fixes one
must take it out; a new key that breaks a rule fails until it is fixed (or named here)."""

import psycopg
import pytest

# Every table that holds a tenant's rows is distributed by its list: bookmark_lists by its own
# id (a list is its tenant), the others by list_id, all co-located. purges stays a table of the
# coordinator: the purge worker takes the next purge of any list (FOR UPDATE SKIP LOCKED, which
# Citus allows in single-shard queries only), then deletes list by list.
DISTRIBUTED_BY = {
    "bookmark_lists": "id",
    "videos": "list_id",
    "custom_fields": "list_id",
    "field_schemas": "list_id",
    "schema_fields": "list_id",
    "tags": "list_id",
    "video_tags": "list_id",
    "video_field_values": "list_id",
    "list_video_counts": "list_id",
    "field_value_counts": "list_id",
}
COORDINATOR_ONLY = {"purges"}

# Keys still to change (#13, part 4): wider keys cost index size and time, so each change
# waits for its measurement in make bench.
GAPS = {
    # Rule 1: a primary key or unique index without list_id.
    "unique videos_pkey",
    "unique custom_fields_pkey",
    "unique field_schemas_pkey",
    "unique tags_pkey",
    "unique schema_fields_pkey",
    "unique video_tags_pkey",
    "unique video_field_values_pkey",
    "unique field_value_counts_key",
    # Rules 1 and 2: field_value_counts has no list_id yet, so its key to its field has none.
    "no distribution column: field_value_counts",
    "foreign key field_value_counts_field_id_fkey",
}

COLUMNS = """
SELECT c.relname, a.attname
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind = 'r'
"""

# Unique indexes (primary keys and unique constraints have one): the columns they hold, as
# key columns or inside an expression of the key.
UNIQUE_INDEXES = """
SELECT t.relname AS table_name, i.relname AS index_name,
       ARRAY(SELECT a.attname FROM pg_attribute AS a
             WHERE a.attrelid = t.oid AND a.attnum > 0
               AND (a.attnum = ANY (x.indkey::int2[])
                    OR pg_get_expr(x.indexprs, x.indrelid) ~ ('\\m' || a.attname || '\\M')))
         AS columns
FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_class AS t ON t.oid = x.indrelid JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND x.indisunique
"""

# Foreign keys as (referencing column, referenced column) pairs, in key order.
FOREIGN_KEYS = """
SELECT c.conname, t.relname AS table_name, r.relname AS referenced, c.confdeltype,
       c.confupdtype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n)
             JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.n) AS columns,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, n)
             JOIN pg_attribute AS a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
             ORDER BY k.n) AS referenced_columns
FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_class AS r ON r.oid = c.confrelid JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND c.contype = 'f'
"""


def broken_rules(conn: psycopg.Connection) -> set[str]:
    broken: set[str] = set()
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(COLUMNS):
        columns.setdefault(table, set()).add(column)
    for table, column in DISTRIBUTED_BY.items():
        if column not in columns[table]:
            broken.add(f"no distribution column: {table}")
    # Rule 1 (citus_docs develop/reference_ddl.rst, "Primary keys and unique constraints";
    # citus commands/index.c): a unique index of a distributed table holds its distribution
    # column; a unique index elsewhere could not be checked on one shard.
    for table, index, key in conn.execute(UNIQUE_INDEXES):
        if table in DISTRIBUTED_BY and DISTRIBUTED_BY[table] not in key:
            broken.add(f"unique {index}")
    for name, table, referenced, on_delete, on_update, key, referenced_key in conn.execute(
        FOREIGN_KEYS
    ):
        if table not in DISTRIBUTED_BY:
            continue
        assert referenced in DISTRIBUTED_BY, f"{name}: a key to a table Citus would not know"
        pairs = list(zip(key, referenced_key, strict=True))
        # Rule 2 (citus commands/foreign_constraint.c): between distributed tables a key holds
        # both distribution columns, in the same position, so both rows are on one shard.
        if (DISTRIBUTED_BY[table], DISTRIBUTED_BY[referenced]) not in pairs:
            broken.add(f"foreign key {name}")
        # Rule 3 (same file; pg15.out in its tests): with the distribution column in the key,
        # ON DELETE / ON UPDATE SET NULL or SET DEFAULT is refused, the column-list form
        # SET NULL (col) included: it would change the distribution column.
        if on_delete in ("n", "d") or on_update in ("n", "d"):
            broken.add(f"set null or default {name}")
    return broken


def test_every_table_under_row_security_is_distributed_or_kept_on_the_coordinator(
    postgresql: psycopg.Connection,
) -> None:
    tenant_tables = {
        table
        for (table,) in postgresql.execute(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity"
        )
    }
    assert tenant_tables == set(DISTRIBUTED_BY) | COORDINATOR_ONLY


def test_the_keys_follow_citus_rules_but_for_the_gaps_named(
    postgresql: psycopg.Connection,
) -> None:
    broken = broken_rules(postgresql)
    assert broken - GAPS == set(), "a key breaks a Citus rule"
    assert GAPS - broken == set(), "a gap is closed: take it out of GAPS"


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ("CREATE UNIQUE INDEX tags_name_only ON tags (name)", "unique tags_name_only"),
        (
            "ALTER TABLE video_tags ADD CONSTRAINT video_tags_tag_only FOREIGN KEY (tag_id)"
            " REFERENCES tags (id)",
            "foreign key video_tags_tag_only",
        ),
        (
            "ALTER TABLE tags ADD CONSTRAINT tags_schema_again FOREIGN KEY (list_id, schema_id)"
            " REFERENCES field_schemas (list_id, id) ON DELETE SET NULL (schema_id)",
            "set null or default tags_schema_again",
        ),
        (
            "ALTER TABLE schema_fields ADD CONSTRAINT schema_fields_crossed FOREIGN KEY"
            " (field_id, list_id) REFERENCES custom_fields (list_id, id)",
            "foreign key schema_fields_crossed",
        ),
    ],
)
def test_the_rules_catch_what_they_must(
    postgresql: psycopg.Connection, statement: str, rule: str
) -> None:
    postgresql.execute(statement)
    assert rule in broken_rules(postgresql) - GAPS
