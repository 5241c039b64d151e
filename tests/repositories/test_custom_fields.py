import uuid
from typing import Any

import asyncpg
import pytest

from app.errors import Conflict, InvalidValue, NotFound
from app.models.custom_fields import CustomFieldCreate, CustomFieldUpdate, FieldType
from app.models.field_schemas import SchemaFieldIn
from app.models.lists import BookmarkList
from app.repositories import custom_fields, field_schemas
from tests.repositories.conftest import DEFAULT_CONFIGS, Builder


@pytest.mark.parametrize("field_type", list(FieldType))
async def test_create_and_get_each_type(
    conn: asyncpg.Connection, bl: BookmarkList, field_type: FieldType
) -> None:
    data = CustomFieldCreate(
        name="Field", field_type=field_type, config=DEFAULT_CONFIGS[field_type]
    )
    field = await custom_fields.create(conn, list_id=bl.id, data=data)
    assert (field.list_id, field.name, field.field_type) == (bl.id, "Field", field_type)
    assert field.config == DEFAULT_CONFIGS[field_type]
    assert await custom_fields.get(conn, list_id=bl.id, field_id=field.id) == field


async def test_a_text_field_may_have_a_max_length(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "text", config={"max_length": 10})
    assert field.config == {"max_length": 10}


async def test_create_in_a_missing_list(conn: asyncpg.Connection) -> None:
    data = CustomFieldCreate(name="F", field_type="boolean")
    with pytest.raises(NotFound) as info:
        await custom_fields.create(conn, list_id=uuid.uuid4(), data=data)
    assert info.value.resource == "list"


@pytest.mark.parametrize("second", ["Rating", "rating", "  RATING "])
async def test_a_name_is_unique_per_list_ignoring_case(
    make: Builder, bl: BookmarkList, other_list: BookmarkList, second: str
) -> None:
    await make.field(bl.id, name="Rating")
    with pytest.raises(Conflict) as info:
        await make.field(bl.id, "boolean", name=second)
    assert info.value.rule == "custom_fields_name_unique"
    await make.field(other_list.id, name="Rating")


BAD_CONFIGS: list[tuple[str, Any, str]] = [
    ("rating", {}, "custom_fields_rating_config"),
    ("rating", {"max_rating": 0}, "custom_fields_rating_config"),
    ("rating", {"max_rating": 11}, "custom_fields_rating_config"),
    ("rating", {"max_rating": 2.5}, "custom_fields_rating_config"),
    ("rating", {"max_rating": "5"}, "custom_fields_rating_config"),
    ("rating", {"max_rating": 5, "extra": 1}, "custom_fields_rating_config"),
    ("select", {}, "custom_fields_select_config"),
    ("select", {"options": []}, "custom_fields_select_config"),
    ("select", {"options": ["a", "a"]}, "custom_fields_select_config"),
    ("select", {"options": ["a", " "]}, "custom_fields_select_config"),
    ("select", {"options": ["a", 1]}, "custom_fields_select_config"),
    ("select", {"options": ["x" * 201]}, "custom_fields_select_config"),
    ("select", {"options": [str(i) for i in range(201)]}, "custom_fields_select_config"),
    ("text", {"max_length": 0}, "custom_fields_text_config"),
    ("text", {"max_length": 2001}, "custom_fields_text_config"),
    ("text", {"min_length": 1}, "custom_fields_text_config"),
    ("boolean", {"default": True}, "custom_fields_boolean_config"),
]


@pytest.mark.parametrize(("field_type", "config", "rule"), BAD_CONFIGS)
async def test_a_config_that_does_not_fit_the_type_is_refused(
    make: Builder, bl: BookmarkList, field_type: str, config: Any, rule: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        await make.field(bl.id, field_type, config=config)
    assert info.value.problems[0].rule == rule
    assert await make.count("custom_fields") == 0


async def test_a_blank_name_is_refused_by_the_database(
    conn: asyncpg.Connection, bl: BookmarkList
) -> None:
    data = CustomFieldCreate.model_construct(name="\t", field_type="boolean", config={})
    with pytest.raises(InvalidValue) as info:
        await custom_fields.create(conn, list_id=bl.id, data=data)
    assert info.value.problems[0].rule == "custom_fields_name"


async def test_get_is_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    with pytest.raises(NotFound) as info:
        await custom_fields.get(conn, list_id=other_list.id, field_id=field.id)
    assert (info.value.resource, info.value.resource_id) == ("custom field", field.id)


async def test_list_by_list_by_name(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    assert await custom_fields.list_by_list(conn, list_id=bl.id) == []
    for name in ("beta", "Alpha", "gamma"):
        await make.field(bl.id, name=name)
    await make.field(other_list.id, name="elsewhere")
    names = [f.name for f in await custom_fields.list_by_list(conn, list_id=bl.id)]
    assert names == ["Alpha", "beta", "gamma"]
    with pytest.raises(NotFound):
        await custom_fields.list_by_list(conn, list_id=uuid.uuid4())


async def test_get_many(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    a, b = await make.field(bl.id), await make.field(bl.id, "text")
    found = await custom_fields.get_many(conn, list_id=bl.id, field_ids=[b.id, a.id, b.id])
    assert found == {a.id: a, b.id: b}
    assert await custom_fields.get_many(conn, list_id=bl.id, field_ids=[]) == {}
    foreign = await make.field(other_list.id)
    with pytest.raises(NotFound) as info:
        await custom_fields.get_many(conn, list_id=bl.id, field_ids=[a.id, foreign.id])
    assert info.value.resource_id == foreign.id


async def test_update_changes_only_what_is_sent(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, name="Stars", config={"max_rating": 5})
    renamed = await custom_fields.update(
        conn, list_id=bl.id, field_id=field.id, data=CustomFieldUpdate(name="Score")
    )
    assert (renamed.name, renamed.config) == ("Score", {"max_rating": 5})
    assert renamed.updated_at > field.updated_at
    widened = await custom_fields.update(
        conn, list_id=bl.id, field_id=field.id, data=CustomFieldUpdate(config={"max_rating": 10})
    )
    assert (widened.name, widened.config) == ("Score", {"max_rating": 10})


async def test_update_to_a_taken_name_conflicts(
    make: Builder, conn: asyncpg.Connection, bl: BookmarkList
) -> None:
    await make.field(bl.id, name="Taken")
    field = await make.field(bl.id, name="Free")
    with pytest.raises(Conflict):
        await custom_fields.update(
            conn, list_id=bl.id, field_id=field.id, data=CustomFieldUpdate(name="taken")
        )


async def test_update_is_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    with pytest.raises(NotFound):
        await custom_fields.update(
            conn, list_id=other_list.id, field_id=field.id, data=CustomFieldUpdate(name="x")
        )


async def test_a_type_change_without_values_is_allowed(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "rating")
    data = CustomFieldUpdate(field_type="boolean", config={})
    changed = await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert (changed.field_type, changed.config) == ("boolean", {})


async def test_a_type_change_without_a_config_starts_from_an_empty_one(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "rating")
    data = CustomFieldUpdate(field_type="boolean")
    changed = await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert (changed.field_type, changed.config) == ("boolean", {})


async def test_a_type_change_with_a_config_that_does_not_fit_is_refused(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "rating")
    with pytest.raises(InvalidValue) as info:
        data = CustomFieldUpdate(field_type="boolean", config={"max_rating": 5})
        await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert info.value.problems[0].rule == "custom_fields_boolean_config"


async def test_a_type_change_with_values_conflicts(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "text")
    await make.value(await make.video(bl.id), field, "hello")
    data = CustomFieldUpdate(field_type="select", config={"options": ["hello"]})
    with pytest.raises(Conflict) as info:
        await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert info.value.rule == "custom_fields_type_change_with_values"
    assert field.name in info.value.message
    assert (await custom_fields.get(conn, list_id=bl.id, field_id=field.id)).field_type == "text"


@pytest.mark.parametrize(
    ("field_type", "config", "value", "new_config"),
    [
        ("rating", {"max_rating": 10}, 8, {"max_rating": 5}),
        ("select", {"options": ["a", "b"]}, "b", {"options": ["a", "c"]}),
        ("text", {"max_length": 20}, "fifteen letters", {"max_length": 10}),
        ("text", {}, "x" * 30, {"max_length": 10}),
    ],
)
async def test_a_config_change_that_breaks_a_stored_value_conflicts(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    field_type: str,
    config: dict[str, Any],
    value: Any,
    new_config: dict[str, Any],
) -> None:
    field = await make.field(bl.id, field_type, config=config)
    await make.value(await make.video(bl.id), field, value)
    data = CustomFieldUpdate(config=new_config)
    with pytest.raises(Conflict) as info:
        await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert info.value.rule == "custom_fields_config_breaks_values"
    assert (await custom_fields.get(conn, list_id=bl.id, field_id=field.id)).config == config


async def test_a_config_change_that_keeps_every_value_is_allowed(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "select", config={"options": ["a", "b"]})
    await make.value(await make.video(bl.id), field, "b")
    data = CustomFieldUpdate(config={"options": ["b", "c"]})
    changed = await custom_fields.update(conn, list_id=bl.id, field_id=field.id, data=data)
    assert changed.config == {"options": ["b", "c"]}


async def test_delete_hides_the_field_at_once_and_the_purge_takes_values_and_places(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id)
    kept = await make.field(bl.id, "boolean")
    schema = await make.schema(
        bl.id, [SchemaFieldIn(field_id=field.id), SchemaFieldIn(field_id=kept.id)]
    )
    await make.value(await make.video(bl.id), field, 1)

    await custom_fields.delete(conn, list_id=bl.id, field_id=field.id)

    with pytest.raises(NotFound):
        await custom_fields.get(conn, list_id=bl.id, field_id=field.id)
    assert [f.id for f in await custom_fields.list_by_list(conn, list_id=bl.id)] == [kept.id]
    left = await field_schemas.get(conn, list_id=bl.id, schema_id=schema.id)
    assert [f.field_id for f in left.fields] == [kept.id]
    with pytest.raises(NotFound):
        await custom_fields.delete(conn, list_id=bl.id, field_id=field.id)
    assert await make.count("video_field_values") == 1  # until the purge

    # The value; the place and the field; one that finds nothing left and ends the purge.
    assert await make.purge_all() == 3
    assert await make.count("video_field_values") == 0
    assert await make.count("schema_fields") == 1
    assert await make.count("purges") == 0
    assert await conn.fetchval("SELECT count(*) FROM custom_fields WHERE id = $1", field.id) == 0


async def test_delete_is_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    with pytest.raises(NotFound):
        await custom_fields.delete(conn, list_id=other_list.id, field_id=field.id)
    assert await custom_fields.get(conn, list_id=bl.id, field_id=field.id) == field
