"""Repository tests: a connection on a fresh migrated database, and builders that create test
data through the real repositories (so a builder breaks when the repository does)."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from app import field_types
from app.models.custom_fields import CustomField, CustomFieldCreate
from app.models.field_schemas import FieldSchema, FieldSchemaCreate, SchemaFieldIn
from app.models.field_values import FieldValueSet
from app.models.lists import BookmarkList, ListCreate
from app.models.tags import Tag, TagCreate
from app.models.videos import Video, VideoCreate
from app.repositories import (
    custom_fields,
    field_schemas,
    field_values,
    lists,
    purges,
    tags,
    video_search,
    videos,
)
from tests.conftest import OWNER

DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "rating": {"max_rating": 5},
    "select": {"options": ["good", "ok", "bad"]},
    "text": {},
    "boolean": {},
    "number": {"min": -100, "max": 1000, "decimals": 2},
    "date": {"min": "2000-01-01", "max": "2030-12-31"},
    "url": {},
    "multi_select": {"options": ["good", "ok", "bad"], "max_selected": 2},
}


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def value_of(field: CustomField, value: Any) -> FieldValueSet:
    """A FieldValueSet putting a plain Python value in the column of the field's type."""
    column = field_types.spec(field.field_type).column
    if column == "value_numeric":
        value = Decimal(str(value))
    return FieldValueSet(field_id=field.id, **{column: value})


@dataclass
class Builder:
    """Creates rows through the repositories, with unique names and valid defaults."""

    conn: asyncpg.Connection

    async def bookmark_list(self, name: str | None = None) -> BookmarkList:
        return await lists.create(
            self.conn, owner=OWNER, data=ListCreate(name=name or unique("List"))
        )

    async def video(
        self, list_id: uuid.UUID, *, title: str | None = None, youtube_id: str | None = None
    ) -> Video:
        data = VideoCreate(
            youtube_id=youtube_id or uuid.uuid4().hex[:11], title=title or unique("Video")
        )
        return await videos.create(self.conn, list_id=list_id, data=data)

    async def field(
        self,
        list_id: uuid.UUID,
        field_type: str = "rating",
        *,
        name: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> CustomField:
        data = CustomFieldCreate(
            name=name or unique(field_type.title()),
            field_type=field_type,
            config=DEFAULT_CONFIGS[field_type] if config is None else config,
        )
        return await custom_fields.create(self.conn, list_id=list_id, data=data)

    async def schema(
        self,
        list_id: uuid.UUID,
        fields: list[SchemaFieldIn] | None = None,
        *,
        name: str | None = None,
    ) -> FieldSchema:
        data = FieldSchemaCreate(name=name or unique("Schema"), fields=fields or [])
        return await field_schemas.create(self.conn, list_id=list_id, data=data)

    async def tag(
        self, list_id: uuid.UUID, *, schema_id: uuid.UUID | None = None, name: str | None = None
    ) -> Tag:
        data = TagCreate(name=name or unique("Tag"), schema_id=schema_id)
        return await tags.create(self.conn, list_id=list_id, data=data)

    async def value(self, video: Video, field: CustomField, value: Any) -> None:
        await field_values.set_one(
            self.conn, list_id=video.list_id, video_id=video.id, value=value_of(field, value)
        )

    async def count(self, table: str) -> int:
        # Table names come from the tests, never from input.
        return int(await self.conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608

    async def purge_all(self, *, max_rows: int = 1000) -> int:
        """Run purge batches, each in its own transaction like the worker's, until none is
        left; returns how many batches ran."""
        batches = 0
        while True:
            async with self.conn.transaction():
                batch = await purges.next_batch(self.conn, max_rows=max_rows)
            if batch is None:
                return batches
            batches += 1


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        yield connection


@pytest.fixture
def make(conn: asyncpg.Connection) -> Builder:
    return Builder(conn)


@pytest.fixture
async def bl(make: Builder) -> BookmarkList:
    """A fresh bookmark list."""
    return await make.bookmark_list()


@pytest.fixture
async def other_list(make: Builder) -> BookmarkList:
    """A second list, for refusals across lists."""
    return await make.bookmark_list()


@pytest.fixture
def used_fragments(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names of the sql/video_search.sql fragments the test's searches build statements
    from, filled in as they run."""
    used: set[str] = set()
    add = video_search.Statement.add

    def recording_add(self: Any, fragment: str, prefix: str = "", **values: Any) -> None:
        used.add(fragment)
        add(self, fragment, prefix, **values)

    monkeypatch.setattr(video_search.Statement, "add", recording_add)
    return used


def expected_order(
    items: list[Video], key: dict[uuid.UUID, Any], direction: str, *, field: bool = True
) -> list[uuid.UUID]:
    """Ids in the search's order: by key, then (for a sort by a field: the value index's
    order) the video's created_at, then id, either direction; items without a key (None) last
    in both directions, by id (PostgreSQL's uuid order is Python's UUID order)."""
    present = sorted(
        (key[v.id], v.created_at if field else 0, v.id) for v in items if key.get(v.id) is not None
    )
    missing = sorted(v.id for v in items if key.get(v.id) is None)
    if direction == "desc":
        present.reverse()
        missing.reverse()
    return [row_id for _, _, row_id in present] + missing


async def plan_mode(conn: asyncpg.Connection) -> str:
    """How the connection's next statement will be planned (app/db/plans.py)."""
    return str(await conn.fetchval("SELECT current_setting('plan_cache_mode')"))


async def plan_nodes(
    conn: asyncpg.Connection, statement: str, params: list[Any], *, analyze: bool = False
) -> list[dict[str, Any]]:
    """Every node of `statement`'s plan (EXPLAIN FORMAT JSON, run too when `analyze`)."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    plan = await conn.fetchval(f"EXPLAIN ({options}) {statement}", *params)
    nodes, seen = [json.loads(plan)[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        seen.append(node)
    return seen
