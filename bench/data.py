"""The bench database: created beside the app's database, migrated, filled with seeded data.

Everything is derived from (scale, seed), so two runs with the same pair measure the same rows.
Rows go in with COPY (copy_records_to_table) with every trigger and foreign key active, so
the load also measures what the schema's checks cost."""

import os
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import asyncpg

from app.config import Settings, app_role_of, with_user
from app.db import migrate
from app.db.access import ensure_app_role
from app.db.pool import connect, init_connection

LIST_NAME = "Bench list"
# Who owns the bench list: the app role measures as this owner, under row-level security.
BENCH_OWNER = "bench"
CHUNK = 20_000
# Other owners' lists around the bench list, as in any shared database: the planner's
# statistics then see thousands of lists and fields, and a policy whose estimate grows wrong
# with their number (migrations/0018) fails the plan checks instead of passing unseen.
OTHER_LISTS = 2_000
OTHER_OWNERS = 200
OTHER_VIDEOS = 10  # per list, each with a value for each of its two rating fields
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "piano",
    "guitar",
    "violin",
    "cello",
    "drums",
    "synth",
    "jazz",
    "blues",
    "rock",
    "metal",
    "folk",
    "opera",
    "remix",
    "live",
    "cover",
    "tutorial",
    "review",
    "lecture",
    "talk",
    "interview",
    "podcast",
    "trailer",
    "vlog",
]
STATUS_OPTIONS = ["inbox", "watching", "done", "dropped", "rewatch"]
STATUS_WEIGHTS = [50, 25, 15, 9, 1]
LANGUAGES = [f"lang{i:02d}" for i in range(20)]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    field_type: str
    config: dict[str, Any]
    share: float  # fraction of videos with a value


# Topics: 1..3 of these per video; the last is rare (1 pick in 1,900).
TOPICS = [f"topic{i:02d}" for i in range(20)]
TOPIC_WEIGHTS = [100] * 19 + [1]

FIELDS = (
    FieldSpec("Rating", "rating", {"max_rating": 5}, 1.0),
    FieldSpec("Status", "select", {"options": STATUS_OPTIONS}, 0.5),
    FieldSpec("Notes", "text", {"max_length": 500}, 1 / 3),
    FieldSpec("Watched", "boolean", {}, 0.5),
    FieldSpec("Difficulty", "rating", {"max_rating": 10}, 0.2),
    FieldSpec("Language", "select", {"options": LANGUAGES}, 0.1),
    FieldSpec("Summary", "text", {}, 0.05),
    FieldSpec("Favorite", "boolean", {}, 0.1),
    FieldSpec("Minutes", "number", {"min": 0, "max": 600, "decimals": 1}, 0.3),
    FieldSpec("Published", "date", {"min": "2010-01-01"}, 0.5),
    FieldSpec("Link", "url", {}, 0.2),
    FieldSpec("Topics", "multi_select", {"options": TOPICS, "max_selected": 3}, 0.4),
)
# schema name -> its fields, in display order
SCHEMAS = {
    "Basics": ("Rating", "Status", "Watched"),
    "Study": ("Notes", "Summary", "Rating"),
    "Extra": ("Difficulty", "Language", "Favorite"),
}
# tag name -> (its schema or None, share of videos with the tag)
TAGS = {
    "basics": ("Basics", 0.7),
    "study": ("Study", 0.3),
    "advanced": ("Extra", 0.15),
    "later": (None, 0.2),
}


@dataclass
class BenchData:
    """What the measurements need to know about the loaded data."""

    url: str  # as the owning role (row-level security does not apply)
    app_url: str  # as the app's role (it does)
    scale: int
    seed: int
    list_id: UUID
    fields: dict[str, UUID]
    sample_videos: list[UUID]
    batch_videos: list[UUID]
    load: dict[str, Any] = field(default_factory=dict)


def bench_url(database_url: str) -> str:
    """The URL of `<dbname>_bench` on the same server."""
    parts = urlsplit(database_url)
    dbname = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{dbname}_bench"))


def _uuid(rng: random.Random) -> UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _progress(label: str, done: int, total: int, started: float, *, final: bool = False) -> None:
    elapsed = max(time.perf_counter() - started, 1e-9)
    # The expected count is an estimate: the last update shows the rows written as the whole.
    total = done if final else max(total, done)
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(
        f"\r  {label:<18} [{'#' * filled}{'.' * (width - filled)}] "
        f"{done:>9,}/{total:,} rows {done / elapsed:>10,.0f} rows/s"
    )
    if final:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def _copy(
    conn: asyncpg.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterator[tuple[Any, ...]],
    total: int,
) -> dict[str, float]:
    """COPY rows in chunks (each chunk one statement, so statement triggers see it whole)."""
    started = time.perf_counter()
    done = 0
    chunk: list[tuple[Any, ...]] = []

    async def flush() -> None:
        nonlocal done
        await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
        done += len(chunk)
        chunk.clear()
        _progress(table, done, total, started)

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            await flush()
    if chunk:
        await flush()
    _progress(table, done, total, started, final=True)
    seconds = time.perf_counter() - started
    return {"rows": done, "seconds": round(seconds, 3), "rows_per_s": round(done / seconds, 1)}


def _value(
    spec: FieldSpec, rng: random.Random
) -> tuple[Decimal | None, bool | None, str | None, date | None, list[str] | None]:
    """(value_numeric, value_boolean, value_text, value_date, value_options) of one value."""
    if spec.field_type == "rating":
        return Decimal(rng.randint(1, spec.config["max_rating"])), None, None, None, None
    if spec.field_type == "number":
        return Decimal(rng.randint(0, 6000)) / 10, None, None, None, None
    if spec.field_type == "date":  # a day within 2010..2025
        return None, None, None, date(2010, 1, 1) + timedelta(days=rng.randint(0, 5843)), None
    if spec.field_type == "boolean":
        return None, rng.random() < (0.3 if spec.name == "Watched" else 0.2), None, None, None
    if spec.field_type == "select":
        options = spec.config["options"]
        weights = STATUS_WEIGHTS if spec.name == "Status" else None
        return None, None, rng.choices(options, weights)[0], None, None
    if spec.field_type == "multi_select":
        picks = rng.choices(spec.config["options"], TOPIC_WEIGHTS, k=rng.randint(1, 3))
        return None, None, None, None, list(dict.fromkeys(picks))
    if spec.field_type == "url":
        return None, None, f"https://example.com/v/{rng.randint(1, 100_000)}", None, None
    if spec.field_type == "text":
        words = rng.sample(WORDS, 3)
        return None, None, f"{words[0]} {words[1]} {words[2]} {rng.randint(1, 1000)}", None, None
    raise AssertionError(f"the bench makes no {spec.field_type} values")  # a new type's gap


async def _load(conn: asyncpg.Connection, scale: int, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:meta")
    list_id = _uuid(rng)
    await conn.execute(
        "INSERT INTO bookmark_lists (id, owner, name) VALUES ($1, $2, $3)",
        list_id,
        BENCH_OWNER,
        LIST_NAME,
    )
    field_ids: dict[str, UUID] = {}
    for spec in FIELDS:
        field_ids[spec.name] = await conn.fetchval(
            "INSERT INTO custom_fields (id, list_id, name, field_type, config)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id",
            _uuid(rng),
            list_id,
            spec.name,
            spec.field_type,
            spec.config,
        )
    schema_ids: dict[str, UUID] = {}
    for name, field_names in SCHEMAS.items():
        schema_ids[name] = await conn.fetchval(
            "INSERT INTO field_schemas (id, list_id, name) VALUES ($1, $2, $3) RETURNING id",
            _uuid(rng),
            list_id,
            name,
        )
        await conn.executemany(
            "INSERT INTO schema_fields (schema_id, field_id, list_id, display_order, show_on_card)"
            " VALUES ($1, $2, $3, $4, $5)",
            [
                (schema_ids[name], field_ids[f], list_id, order, order == 0)
                for order, f in enumerate(field_names)
            ],
        )
    tag_ids: dict[str, UUID] = {}
    for name, (schema, _) in TAGS.items():
        tag_ids[name] = await conn.fetchval(
            "INSERT INTO tags (id, list_id, name, schema_id) VALUES ($1, $2, $3, $4) RETURNING id",
            _uuid(rng),
            list_id,
            name,
            schema_ids[schema] if schema else None,
        )

    video_rng = random.Random(f"{seed}:videos")
    video_ids = [_uuid(video_rng) for _ in range(scale)]
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def videos() -> Iterator[tuple[Any, ...]]:
        for i, video_id in enumerate(video_ids):
            created = start + timedelta(seconds=30 * i)
            title = f"Video {i} {video_rng.choice(WORDS)} {video_rng.choice(WORDS)}"
            yield video_id, list_id, f"b{i:010d}", title, created, created

    def values() -> Iterator[tuple[Any, ...]]:
        value_rng = random.Random(f"{seed}:values")
        for i, video_id in enumerate(video_ids):
            for spec in FIELDS:
                if spec.share >= 1 or value_rng.random() < spec.share:
                    numeric, boolean, text, day, options = _value(spec, value_rng)
                    yield (
                        video_id,
                        field_ids[spec.name],
                        list_id,
                        spec.field_type,
                        start + timedelta(seconds=30 * i),  # the video's created_at
                        numeric,
                        boolean,
                        text,
                        day,
                        options,
                    )

    def video_tags() -> Iterator[tuple[Any, ...]]:
        tag_rng = random.Random(f"{seed}:tags")
        for video_id in video_ids:
            for name, (_, share) in TAGS.items():
                if tag_rng.random() < share:
                    yield video_id, tag_ids[name], list_id

    expected_values = int(scale * sum(spec.share for spec in FIELDS))
    expected_tags = int(scale * sum(share for _, share in TAGS.values()))
    load: dict[str, Any] = {
        "videos": await _copy(
            conn,
            "videos",
            ("id", "list_id", "youtube_id", "title", "created_at", "updated_at"),
            videos(),
            scale,
        ),
        "video_field_values": await _copy(
            conn,
            "video_field_values",
            (
                "video_id",
                "field_id",
                "list_id",
                "field_type",
                "video_created_at",
                "value_numeric",
                "value_boolean",
                "value_text",
                "value_date",
                "value_options",
            ),
            values(),
            expected_values,
        ),
        "video_tags": await _copy(
            conn, "video_tags", ("video_id", "tag_id", "list_id"), video_tags(), expected_tags
        ),
    }
    load["other_lists"] = await _other_lists(conn)
    await conn.execute(
        "CREATE TABLE bench_meta (scale integer NOT NULL, seed integer NOT NULL,"
        " load jsonb NOT NULL)"
    )
    await conn.execute("INSERT INTO bench_meta VALUES ($1, $2, $3)", scale, seed, load)
    return load


async def _other_lists(conn: asyncpg.Connection) -> int:
    """OTHER_LISTS small lists of OTHER_OWNERS other owners (see OTHER_LISTS)."""
    await conn.execute(
        "INSERT INTO bookmark_lists (owner, name)"
        " SELECT 'other' || (n % $2), 'Other list ' || n FROM generate_series(1, $1) AS n",
        OTHER_LISTS,
        OTHER_OWNERS,
    )
    await conn.execute(
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " SELECT l.id, f.name, 'rating', '{\"max_rating\": 5}'"
        " FROM bookmark_lists AS l, (VALUES ('Rating'), ('Stars')) AS f (name)"
        " WHERE l.owner <> $1",
        BENCH_OWNER,
    )
    await conn.execute(
        "INSERT INTO videos (list_id, youtube_id, title, created_at)"
        " SELECT l.id, 'o' || n, 'Video ' || n, timestamptz '2024-01-01' + n * interval '1 day'"
        " FROM bookmark_lists AS l, generate_series(1, $2) AS n WHERE l.owner <> $1",
        BENCH_OWNER,
        OTHER_VIDEOS,
    )
    await conn.execute(
        "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
        " SELECT v.id, f.id, 1 + (hashtext(v.id::text || f.name) & 3)"
        " FROM bookmark_lists AS l JOIN custom_fields AS f ON f.list_id = l.id"
        " JOIN videos AS v ON v.list_id = l.id WHERE l.owner <> $1",
        BENCH_OWNER,
    )
    return OTHER_LISTS


async def _exists(admin: asyncpg.Connection, dbname: str) -> bool:
    return bool(await admin.fetchval("SELECT true FROM pg_database WHERE datname = $1", dbname))


async def _meta(url: str) -> tuple[int, int] | None:
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT to_regclass('bench_meta') IS NOT NULL"):
            return None
        row = await conn.fetchrow("SELECT scale, seed FROM bench_meta")
        return None if row is None else (row["scale"], row["seed"])
    finally:
        await conn.close()


async def prepare(database_url: str, *, scale: int, seed: int, rebuild: bool) -> BenchData:
    """Build the bench database unless one of this scale and seed is already there."""
    url = bench_url(database_url)
    dbname = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(database_url)
    try:
        exists = await _exists(admin, dbname)
        if exists and not rebuild and await _meta(url) != (scale, seed):
            rebuild = True
        if exists and rebuild:
            print(f"dropping database {dbname}", file=sys.stderr)
            await admin.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
            exists = False
        if not exists:
            await admin.execute(f'CREATE DATABASE "{dbname}"')
            rebuild = True
    finally:
        await admin.close()

    # What make migrate does; an existing bench database gets new migrations too.
    migrate.apply(url)
    role, password = app_role_of({**os.environ, "DATABASE_URL": url, "DATABASE_APP_URL": ""})
    conn = await asyncpg.connect(url)
    try:
        for warning in await ensure_app_role(conn, role=role, password=password):
            print(f"bench: warning: {warning}", file=sys.stderr)
    finally:
        await conn.close()
    if rebuild:
        print(f"building {dbname}: {scale:,} videos, seed {seed}", file=sys.stderr)
        conn = await asyncpg.connect(url)
        try:
            await init_connection(conn)
            async with conn.transaction():
                load = await _load(conn, scale, seed)
            started = time.perf_counter()
            await conn.execute("VACUUM ANALYZE")
            load["vacuum_analyze_s"] = round(time.perf_counter() - started, 3)
        finally:
            await conn.close()

    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        list_id = await conn.fetchval("SELECT id FROM bookmark_lists WHERE name = $1", LIST_NAME)
        fields = {
            r["name"]: r["id"]
            for r in await conn.fetch(
                "SELECT name, id FROM custom_fields WHERE list_id = $1", list_id
            )
        }
        # Spread over the list, not only the newest: a fixed, seeded sample.
        sample = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM videos WHERE list_id = $1 ORDER BY id LIMIT 200", list_id
            )
        ]
        batch = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM videos WHERE list_id = $1 ORDER BY youtube_id LIMIT 5000", list_id
            )
        ]
        load = await conn.fetchval("SELECT load FROM bench_meta")
    finally:
        await conn.close()
    return BenchData(
        url=url,
        app_url=with_user(url, role, password),
        scale=scale,
        seed=seed,
        list_id=list_id,
        fields=fields,
        sample_videos=sample,
        batch_videos=batch,
        load=load,
    )


async def connect_as(
    data: BenchData, *, rls: bool, statement_timeout_ms: int
) -> asyncpg.Connection:
    """A connection set up like the app's. rls: as the app's role, speaking for the bench
    list's owner and entering the bench list for the whole session (the app says both per
    transaction, sql/access.sql set_transaction), so row-level security applies as in the
    product; else as the owning role, which it does not restrict."""
    settings = Settings(database_url=data.url, statement_timeout_ms=statement_timeout_ms)
    if not rls:
        return await connect(settings, url=data.url)
    conn = await connect(settings, url=data.app_url)
    await conn.execute("SELECT set_config('app.owner', $1, false)", BENCH_OWNER)
    await conn.execute("SELECT set_config('app.list_id', $1, false)", str(data.list_id))
    return conn
