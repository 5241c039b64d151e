"""app.db.plans: the app's transactions plan each statement for its values, and the few that
plan the same for any values switch to one generic plan per statement and connection."""

import asyncpg

from app.db import plans
from app.models.lists import BookmarkList
from app.repositories import custom_fields, field_values
from tests.repositories.conftest import Builder, plan_mode


async def test_a_transaction_plans_for_values_until_switched_to_generic_plans(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating = await make.field(bl.id, "rating")
    async with conn.transaction():
        assert await plan_mode(conn) == "force_custom_plan"  # the app's default
        await custom_fields.get_many(conn, list_id=bl.id, field_ids=[rating.id])
        assert await plan_mode(conn) == "force_custom_plan"
        # only a field of one of the types named switches
        await custom_fields.get_many(
            conn, list_id=bl.id, field_ids=[rating.id], generic_for=["number", "date"]
        )
        assert await plan_mode(conn) == "force_custom_plan"
        await custom_fields.get_many(
            conn, list_id=bl.id, field_ids=[rating.id], generic_for=["rating"]
        )
        assert await plan_mode(conn) == "force_generic_plan"
    assert await plan_mode(conn) == "force_custom_plan"  # for the transaction only
    async with conn.transaction():
        await plans.plan_generically(conn)
        assert await plan_mode(conn) == "force_generic_plan"
    assert await plan_mode(conn) == "force_custom_plan"


async def test_a_plan_switch_outside_a_transaction_stays_on_the_connection(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating = await make.field(bl.id, "rating")
    await custom_fields.get_many(conn, list_id=bl.id, field_ids=[rating.id], generic_for=["rating"])
    assert await plan_mode(conn) == "force_generic_plan"
    await conn.execute("RESET plan_cache_mode")
    await plans.plan_generically(conn)
    assert await plan_mode(conn) == "force_generic_plan"


async def test_the_fields_of_a_video_are_planned_generically(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    video = await make.video(bl.id)
    async with conn.transaction():
        await field_values.fields_of_video(conn, list_id=bl.id, video_id=video.id)
        assert await plan_mode(conn) == "force_generic_plan"  # found by the video's key


async def test_setting_one_value_runs_its_upsert_on_one_generic_plan(
    conn: asyncpg.Connection,
) -> None:
    """set_one calls set_one_value() (migration 0040), which runs sql/field_values.sql's
    set_one_upsert word for word (the statement the bench EXPLAINs for it) and keeps one
    generic plan of it per connection."""
    body, config = await conn.fetchrow(
        "SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'set_one_value'"
    )
    runs = body.split("RETURN QUERY", 1)[1].rsplit(";", 1)[0]
    assert " ".join(runs.split()) == " ".join(field_values.SQL["set_one_upsert"].sql.split())
    assert config == ["plan_cache_mode=force_generic_plan"]
    assert "set_one_value(" in field_values.SQL["set_one"].sql
