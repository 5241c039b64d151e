import psycopg


def test_template_has_schema(postgresql: psycopg.Connection) -> None:
    tables = {r[0] for r in postgresql.execute("select tablename from pg_tables where schemaname='public'")}
    assert "video_field_values" in tables


async def test_pool_decodes_jsonb(pool) -> None:
    assert await pool.fetchval("select '{\"a\": 1}'::jsonb") == {"a": 1}
