import uuid

import asyncpg
import pytest

from app.errors import Conflict, InvalidValue, NotFound
from app.models.field_schemas import FieldSchemaCreate, FieldSchemaUpdate, SchemaFieldIn
from app.models.lists import BookmarkList
from app.repositories import field_schemas, tags
from tests.repositories.conftest import Builder


async def test_create_with_fields_in_display_order(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    a = await make.field(bl.id, name="A")
    b = await make.field(bl.id, "text", name="B")
    c = await make.field(bl.id, "boolean", name="C")
    data = FieldSchemaCreate(
        name="Review",
        description="How good",
        fields=[
            SchemaFieldIn(field_id=a.id, display_order=2),
            SchemaFieldIn(field_id=b.id, display_order=0, show_on_card=True),
            SchemaFieldIn(field_id=c.id, display_order=2),
        ],
    )
    schema = await field_schemas.create(conn, list_id=bl.id, data=data)
    assert (schema.name, schema.description, schema.list_id) == ("Review", "How good", bl.id)
    assert [(f.name, f.display_order, f.show_on_card) for f in schema.fields] == [
        ("B", 0, True),
        ("A", 2, False),
        ("C", 2, False),
    ]
    assert [f.field_type for f in schema.fields] == ["text", "rating", "boolean"]
    assert await field_schemas.get(conn, list_id=bl.id, schema_id=schema.id) == schema


async def test_create_without_fields(make: Builder, bl: BookmarkList) -> None:
    schema = await make.schema(bl.id)
    assert schema.fields == [] and schema.description == ""


async def test_create_in_a_missing_list(conn: asyncpg.Connection) -> None:
    with pytest.raises(NotFound) as info:
        await field_schemas.create(conn, list_id=uuid.uuid4(), data=FieldSchemaCreate(name="S"))
    assert info.value.resource == "list"


async def test_a_name_is_unique_per_list(
    make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    await make.schema(bl.id, name="Review")
    with pytest.raises(Conflict) as info:
        await make.schema(bl.id, name=" review")
    assert info.value.rule == "field_schemas_name_unique"
    await make.schema(other_list.id, name="Review")


async def test_a_field_of_another_list_is_refused_and_nothing_is_created(
    make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    mine = await make.field(bl.id)
    foreign = await make.field(other_list.id)
    fields = [SchemaFieldIn(field_id=mine.id), SchemaFieldIn(field_id=foreign.id)]
    with pytest.raises(NotFound) as info:
        await make.schema(bl.id, fields, name="S")
    assert (info.value.resource, info.value.resource_id) == ("custom field", foreign.id)
    assert await make.count("field_schemas") == 0
    with pytest.raises(NotFound):
        await make.schema(bl.id, [SchemaFieldIn(field_id=uuid.uuid4())])


async def test_a_field_twice_in_a_schema_is_refused(make: Builder, bl: BookmarkList) -> None:
    field = await make.field(bl.id)
    fields = [SchemaFieldIn(field_id=field.id), SchemaFieldIn(field_id=field.id, display_order=1)]
    with pytest.raises(InvalidValue) as info:
        await make.schema(bl.id, fields)
    assert info.value.problems[0].rule == "schema_fields_pkey"
    assert await make.count("field_schemas") == 0


async def test_a_negative_display_order_is_refused_by_the_database(
    make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id)
    bad = SchemaFieldIn.model_construct(field_id=field.id, display_order=-1, show_on_card=False)
    with pytest.raises(InvalidValue) as info:
        await make.schema(bl.id, [bad])
    assert info.value.problems[0].rule == "schema_fields_display_order"


async def test_get_and_list_are_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    assert await field_schemas.list_by_list(conn, list_id=bl.id) == []
    b = await make.schema(bl.id, name="b")
    a = await make.schema(bl.id, name="A")
    await make.schema(other_list.id)
    assert await field_schemas.list_by_list(conn, list_id=bl.id) == [a, b]
    with pytest.raises(NotFound) as info:
        await field_schemas.get(conn, list_id=other_list.id, schema_id=a.id)
    assert (info.value.resource, info.value.resource_id) == ("field schema", a.id)
    with pytest.raises(NotFound):
        await field_schemas.list_by_list(conn, list_id=uuid.uuid4())


async def test_update(conn: asyncpg.Connection, make: Builder, bl: BookmarkList) -> None:
    field = await make.field(bl.id)
    schema = await make.schema(bl.id, [SchemaFieldIn(field_id=field.id)], name="Old")
    renamed = await field_schemas.update(
        conn, list_id=bl.id, schema_id=schema.id, data=FieldSchemaUpdate(name="New")
    )
    assert (renamed.name, renamed.description, renamed.fields) == ("New", "", schema.fields)
    described = await field_schemas.update(
        conn, list_id=bl.id, schema_id=schema.id, data=FieldSchemaUpdate(description="d")
    )
    assert (described.name, described.description) == ("New", "d")
    assert described.updated_at > schema.updated_at


async def test_update_refusals(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    await make.schema(bl.id, name="Taken")
    schema = await make.schema(bl.id, name="Free")
    with pytest.raises(Conflict):
        await field_schemas.update(
            conn, list_id=bl.id, schema_id=schema.id, data=FieldSchemaUpdate(name="TAKEN")
        )
    with pytest.raises(NotFound):
        await field_schemas.update(
            conn, list_id=other_list.id, schema_id=schema.id, data=FieldSchemaUpdate(name="x")
        )
    with pytest.raises(InvalidValue) as info:
        data = FieldSchemaUpdate.model_construct(name=None, description="d" * 2001)
        await field_schemas.update(conn, list_id=bl.id, schema_id=schema.id, data=data)
    assert info.value.problems[0].rule == "field_schemas_description_length"


async def test_replace_fields(conn: asyncpg.Connection, make: Builder, bl: BookmarkList) -> None:
    a, b, c = [await make.field(bl.id, name=n) for n in "abc"]
    schema = await make.schema(bl.id, [SchemaFieldIn(field_id=a.id), SchemaFieldIn(field_id=b.id)])
    replaced = await field_schemas.replace_fields(
        conn,
        list_id=bl.id,
        schema_id=schema.id,
        fields=[
            SchemaFieldIn(field_id=c.id, display_order=0),
            SchemaFieldIn(field_id=a.id, display_order=1),
        ],
    )
    assert [f.field_id for f in replaced.fields] == [c.id, a.id]
    assert replaced.updated_at > schema.updated_at
    emptied = await field_schemas.replace_fields(
        conn, list_id=bl.id, schema_id=schema.id, fields=[]
    )
    assert emptied.fields == []


async def test_replace_fields_is_all_or_nothing(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    a, b = await make.field(bl.id), await make.field(bl.id)
    foreign = await make.field(other_list.id)
    schema = await make.schema(bl.id, [SchemaFieldIn(field_id=a.id)])
    with pytest.raises(NotFound):
        await field_schemas.replace_fields(
            conn,
            list_id=bl.id,
            schema_id=schema.id,
            fields=[SchemaFieldIn(field_id=b.id), SchemaFieldIn(field_id=foreign.id)],
        )
    assert await field_schemas.get(conn, list_id=bl.id, schema_id=schema.id) == schema
    with pytest.raises(NotFound) as info:
        await field_schemas.replace_fields(
            conn, list_id=other_list.id, schema_id=schema.id, fields=[]
        )
    assert info.value.resource == "field schema"


async def test_delete_leaves_its_tags_without_a_schema(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    schema = await make.schema(bl.id, [SchemaFieldIn(field_id=field.id)])
    tag = await make.tag(bl.id, schema_id=schema.id)
    with pytest.raises(NotFound):
        await field_schemas.delete(conn, list_id=other_list.id, schema_id=schema.id)

    await field_schemas.delete(conn, list_id=bl.id, schema_id=schema.id)

    with pytest.raises(NotFound):
        await field_schemas.get(conn, list_id=bl.id, schema_id=schema.id)
    left = await tags.get(conn, list_id=bl.id, tag_id=tag.id)
    assert (left.schema_id, left.list_id) == (None, bl.id)
    assert await make.count("custom_fields") == 1 and await make.count("schema_fields") == 0
    with pytest.raises(NotFound):
        await field_schemas.delete(conn, list_id=bl.id, schema_id=schema.id)
