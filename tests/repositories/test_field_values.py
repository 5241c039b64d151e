import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from app.errors import InvalidValue, NotFound
from app.field_types import FieldType
from app.models.field_schemas import SchemaFieldIn
from app.models.field_values import BulkEdit, BulkValueSet, FieldValueSet, ValueKey
from app.models.lists import BookmarkList
from app.repositories import field_values, tags
from tests.repositories.conftest import Builder, value_of


async def stored(conn: asyncpg.Connection, video_id: uuid.UUID, field_id: uuid.UUID) -> Any:
    row = await conn.fetchrow(
        "SELECT value_text, value_numeric, value_boolean, value_date, value_options"
        " FROM video_field_values"
        " WHERE video_id = $1 AND field_id = $2",
        video_id,
        field_id,
    )
    return None if row is None else next(v for v in row.values() if v is not None)


EACH_TYPE = [
    ("rating", Decimal("4.5")),
    ("select", "ok"),
    ("text", "Grüße"),
    ("boolean", False),
    ("number", Decimal("-12.25")),
    ("date", date(2024, 2, 29)),
    ("url", "https://example.com/watch?v=1"),
    ("multi_select", ["bad", "good"]),
]


def test_each_type_has_a_write_case() -> None:
    assert {t for t, _ in EACH_TYPE} == {t.value for t in FieldType}


@pytest.mark.parametrize(("field_type", "value"), EACH_TYPE)
async def test_set_one_each_type(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, field_type: str, value: Any
) -> None:
    field = await make.field(bl.id, field_type)
    video = await make.video(bl.id)
    got = await field_values.set_one(
        conn, list_id=bl.id, video_id=video.id, value=value_of(field, value)
    )
    assert (got.video_id, got.field_id, got.field_type) == (video.id, field.id, field_type)
    assert await stored(conn, video.id, field.id) == value


async def test_set_one_replaces_and_moves_updated_at(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id)
    video = await make.video(bl.id)
    first = await field_values.set_one(
        conn, list_id=bl.id, video_id=video.id, value=value_of(field, 1)
    )
    second = await field_values.set_one(
        conn, list_id=bl.id, video_id=video.id, value=value_of(field, 2)
    )
    assert second.value_numeric == 2 and second.created_at == first.created_at
    assert second.updated_at > first.updated_at
    assert await make.count("video_field_values") == 1


BAD_VALUES = [
    ("rating", {"max_rating": 5}, {"value_text": "5"}, "video_field_values_value_matches_type"),
    (
        "rating",
        {"max_rating": 5},
        {"value_numeric": Decimal(6)},
        "video_field_values_rating_in_range",
    ),
    (
        "rating",
        {"max_rating": 5},
        {"value_numeric": Decimal(-1)},
        "video_field_values_rating_in_range",
    ),
    ("select", {"options": ["a"]}, {"value_text": "b"}, "video_field_values_select_option"),
    (
        "select",
        {"options": ["a"]},
        {"value_boolean": True},
        "video_field_values_value_matches_type",
    ),
    ("text", {"max_length": 3}, {"value_text": "abcd"}, "video_field_values_text_length"),
    ("text", {}, {"value_text": " \t"}, "video_field_values_text_not_empty"),
    ("text", {}, {"value_text": "é" * 1001}, "video_field_values_text_size"),
    ("boolean", {}, {"value_numeric": Decimal(1)}, "video_field_values_value_matches_type"),
    ("number", {"max": 10}, {"value_numeric": Decimal(11)}, "video_field_values_number_in_range"),
    (
        "number",
        {"decimals": 1},
        {"value_numeric": Decimal("1.25")},
        "video_field_values_number_decimals",
    ),
    ("number", {}, {"value_date": "2024-01-01"}, "video_field_values_value_matches_type"),
    (
        "number",
        {},
        {"value_numeric": Decimal("1234567890.123456")},
        "video_field_values_numeric_precision",
    ),
    (
        "date",
        {"min": "2024-01-01"},
        {"value_date": "2023-12-31"},
        "video_field_values_date_in_range",
    ),
    ("date", {}, {"value_text": "2024-01-01"}, "video_field_values_value_matches_type"),
    ("url", {}, {"value_text": "example.com"}, "video_field_values_url_format"),
    (
        "url",
        {},
        {"value_text": "https://example.com/" + "a" * 2029},
        "video_field_values_text_size",
    ),
    (
        "multi_select",
        {"options": ["a", "b"]},
        {"value_options": ["a", "c"]},
        "video_field_values_multi_select_option",
    ),
    (
        "multi_select",
        {"options": ["a", "b"], "max_selected": 1},
        {"value_options": ["a", "b"]},
        "video_field_values_multi_select_max",
    ),
    (
        "multi_select",
        {"options": ["a", "b"]},
        {"value_text": "a"},
        "video_field_values_value_matches_type",
    ),
]


@pytest.mark.parametrize(("field_type", "config", "value", "rule"), BAD_VALUES)
async def test_set_one_refuses_a_value_that_does_not_fit(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    field_type: str,
    config: dict[str, Any],
    value: dict[str, Any],
    rule: str,
) -> None:
    field = await make.field(bl.id, field_type, config=config)
    video = await make.video(bl.id)
    with pytest.raises(InvalidValue) as info:
        data = FieldValueSet(field_id=field.id, **value)
        await field_values.set_one(conn, list_id=bl.id, video_id=video.id, value=data)
    [problem] = info.value.problems
    assert (problem.rule, problem.field_id, problem.video_id) == (rule, field.id, video.id)
    assert field.name in problem.message
    assert await make.count("video_field_values") == 0


async def test_set_one_refusals_across_lists(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    video = await make.video(bl.id)
    foreign_field = await make.field(other_list.id)
    foreign_video = await make.video(other_list.id)
    with pytest.raises(NotFound) as info:
        await field_values.set_one(
            conn, list_id=bl.id, video_id=video.id, value=value_of(foreign_field, 1)
        )
    assert (info.value.resource, info.value.resource_id) == ("custom field", foreign_field.id)
    for video_id in (foreign_video.id, uuid.uuid4()):
        with pytest.raises(NotFound) as info:
            await field_values.set_one(
                conn, list_id=bl.id, video_id=video_id, value=value_of(field, 1)
            )
        assert (info.value.resource, info.value.resource_id) == ("video", video_id)
    assert await make.count("video_field_values") == 0


async def test_set_many_sets_every_value_of_a_video(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating, text, flag = [await make.field(bl.id, t) for t in ("rating", "text", "boolean")]
    video = await make.video(bl.id)
    await make.value(video, rating, 1)
    values = [value_of(rating, 3), value_of(text, "hi"), value_of(flag, True)]
    assert await field_values.set_many(conn, list_id=bl.id, video_id=video.id, values=values) == 3
    assert [await stored(conn, video.id, f.id) for f in (rating, text, flag)] == [3, "hi", True]
    assert await field_values.set_many(conn, list_id=bl.id, video_id=video.id, values=[]) == 0


async def test_set_many_is_all_or_nothing_and_names_every_bad_item(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating, choice = await make.field(bl.id), await make.field(bl.id, "select")
    video = await make.video(bl.id)
    values = [value_of(rating, 3), value_of(choice, "nope"), value_of(rating, 9)]
    with pytest.raises(InvalidValue) as info:
        await field_values.set_many(conn, list_id=bl.id, video_id=video.id, values=values)
    assert [(p.index, p.field_id, p.rule) for p in info.value.problems] == [
        (1, choice.id, "video_field_values_select_option"),
        (2, rating.id, "video_field_values_rating_in_range"),
        (2, rating.id, "batch_duplicate_key"),
    ]
    assert await make.count("video_field_values") == 0


async def test_a_refused_batch_names_every_item_the_database_refuses_by_its_checks(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    # No rule is checked in Python: the database names each of these (batch_problems).
    rating, text, link = [await make.field(bl.id, t) for t in ("rating", "text", "url")]
    video = await make.video(bl.id)
    values = [
        value_of(link, "example.com/no-scheme"),
        value_of(rating, 2),
        value_of(text, "  "),
        FieldValueSet(field_id=rating.id, value_text="4"),
    ]
    with pytest.raises(InvalidValue) as info:
        await field_values.set_many(conn, list_id=bl.id, video_id=video.id, values=values)
    assert [(p.index, p.rule) for p in info.value.problems] == [
        (0, "video_field_values_url_format"),
        (2, "video_field_values_text_not_empty"),
        (3, "video_field_values_value_matches_type"),
        (3, "batch_duplicate_key"),
    ]
    assert all(
        f'"{field.name}"' in problem.message
        for field, problem in zip((link, text, rating), info.value.problems, strict=False)
    )
    assert await make.count("video_field_values") == 0


async def test_a_batch_with_a_field_and_video_of_another_list_writes_nowhere(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    video = await make.video(bl.id)
    foreign_field, foreign_video = await make.field(other_list.id), await make.video(other_list.id)
    for video_id in (video.id, foreign_video.id):
        with pytest.raises(NotFound) as info:
            await field_values.set_many(
                conn, list_id=bl.id, video_id=video_id, values=[value_of(foreign_field, 1)]
            )
        assert (info.value.resource, info.value.resource_id) == ("custom field", foreign_field.id)
    assert await make.count("video_field_values") == 0


async def test_a_batch_of_thousands_in_one_statement(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    fields = [await make.field(bl.id, t) for t in ("rating", "select", "text", "boolean")]
    videos = [await make.video(bl.id, youtube_id=f"v{i}") for i in range(1000)]
    rows = [
        BulkValueSet(
            video_id=video.id,
            **value_of(field, value).model_dump(exclude={"field_id"}),
            field_id=field.id,
        )
        for i, video in enumerate(videos)
        for field, value in zip(fields, [i % 6, "ok", f"note {i}", i % 2 == 0], strict=True)
    ]
    result = await field_values.bulk_edit(conn, list_id=bl.id, edit=BulkEdit(set=rows))
    assert (result.set, result.cleared) == (4000, 0)
    assert await make.count("video_field_values") == 4000
    assert await stored(conn, videos[999].id, fields[2].id) == "note 999"


async def test_one_bad_row_refuses_the_whole_batch_and_names_its_field(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating = await make.field(bl.id, name="Stars")
    text = await make.field(bl.id, "text", config={"max_length": 5})
    videos = [await make.video(bl.id) for _ in range(300)]
    rows = [
        BulkValueSet(video_id=v.id, field_id=rating.id, value_numeric=Decimal(1)) for v in videos
    ]
    rows += [BulkValueSet(video_id=v.id, field_id=text.id, value_text="short") for v in videos]
    rows[450] = BulkValueSet(video_id=videos[150].id, field_id=text.id, value_text="too long")
    with pytest.raises(InvalidValue) as info:
        await field_values.bulk_edit(conn, list_id=bl.id, edit=BulkEdit(set=rows))
    [problem] = info.value.problems
    assert (problem.index, problem.field_id, problem.video_id) == (450, text.id, videos[150].id)
    assert problem.rule == "video_field_values_text_length" and text.name in problem.message
    assert await make.count("video_field_values") == 0


async def test_bulk_edit_sets_and_clears(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating, flag = await make.field(bl.id), await make.field(bl.id, "boolean")
    a, b = await make.video(bl.id), await make.video(bl.id)
    await make.value(a, rating, 2)
    await make.value(b, flag, True)
    edit = BulkEdit(
        set=[
            BulkValueSet(video_id=a.id, field_id=flag.id, value_boolean=False),
            BulkValueSet(video_id=b.id, field_id=rating.id, value_numeric=Decimal(5)),
        ],
        clear=[
            ValueKey(video_id=a.id, field_id=rating.id),
            ValueKey(video_id=b.id, field_id=flag.id),
            ValueKey(video_id=a.id, field_id=rating.id),  # cleared twice: counted once
        ],
    )
    result = await field_values.bulk_edit(conn, list_id=bl.id, edit=edit)
    assert (result.set, result.cleared) == (2, 2)
    # A missing value is a missing row.
    assert await stored(conn, a.id, rating.id) is None
    assert await stored(conn, b.id, flag.id) is None
    assert await make.count("video_field_values") == 2
    empty = await field_values.bulk_edit(conn, list_id=bl.id, edit=BulkEdit())
    assert (empty.set, empty.cleared) == (0, 0)
    nothing = await field_values.bulk_edit(
        conn, list_id=bl.id, edit=BulkEdit(clear=[ValueKey(video_id=a.id, field_id=rating.id)])
    )
    assert nothing.cleared == 0


async def test_bulk_edit_refusals_change_nothing(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    rating = await make.field(bl.id)
    video = await make.video(bl.id)
    await make.value(video, rating, 2)
    foreign_field = await make.field(other_list.id)
    foreign_video = await make.video(other_list.id)
    good_set = BulkValueSet(video_id=video.id, field_id=rating.id, value_numeric=Decimal(4))
    good_clear = ValueKey(video_id=video.id, field_id=rating.id)
    second, flag = await make.video(bl.id), await make.field(bl.id, "boolean")

    cases: list[tuple[BulkEdit, type[Exception], str]] = [
        (BulkEdit(set=[good_set], clear=[good_clear]), InvalidValue, "bulk_edit_set_and_clear"),
        (
            BulkEdit(
                set=[good_set], clear=[ValueKey(video_id=foreign_video.id, field_id=rating.id)]
            ),
            NotFound,
            "video",
        ),
        (
            BulkEdit(
                set=[good_set], clear=[ValueKey(video_id=video.id, field_id=foreign_field.id)]
            ),
            NotFound,
            "custom field",
        ),
        (
            BulkEdit(
                clear=[good_clear],
                set=[
                    BulkValueSet(
                        video_id=uuid.uuid4(), field_id=rating.id, value_numeric=Decimal(1)
                    )
                ],
            ),
            NotFound,
            "video",
        ),
        (
            BulkEdit(
                clear=[good_clear],
                set=[
                    BulkValueSet(
                        video_id=video.id, field_id=foreign_field.id, value_numeric=Decimal(1)
                    )
                ],
            ),
            NotFound,
            "custom field",
        ),
        (
            BulkEdit(
                clear=[ValueKey(video_id=video.id, field_id=foreign_field.id)],
                set=[BulkValueSet(video_id=video.id, field_id=rating.id, value_text="x")],
            ),
            NotFound,
            "custom field",
        ),
        (
            BulkEdit(
                clear=[ValueKey(video_id=second.id, field_id=rating.id)],
                set=[good_set, BulkValueSet(video_id=second.id, field_id=flag.id, value_text="x")],
            ),
            InvalidValue,
            "video_field_values_value_matches_type",
        ),
    ]
    for edit, error, what in cases:
        with pytest.raises(error) as info:
            await field_values.bulk_edit(conn, list_id=bl.id, edit=edit)
        got = (
            info.value.problems[0].rule
            if isinstance(info.value, InvalidValue)
            else info.value.resource
        )
        assert got == what
        assert await stored(conn, video.id, rating.id) == 2
        assert await make.count("video_field_values") == 1


async def test_clear_one(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    video = await make.video(bl.id)
    await make.value(video, field, 3)
    assert await field_values.clear_one(conn, list_id=bl.id, video_id=video.id, field_id=field.id)
    assert await stored(conn, video.id, field.id) is None
    assert not await field_values.clear_one(
        conn, list_id=bl.id, video_id=video.id, field_id=field.id
    )
    foreign_field = await make.field(other_list.id)
    foreign_video = await make.video(other_list.id)
    with pytest.raises(NotFound) as info:
        await field_values.clear_one(
            conn, list_id=bl.id, video_id=foreign_video.id, field_id=field.id
        )
    assert info.value.resource == "video"
    with pytest.raises(NotFound) as info:
        await field_values.clear_one(
            conn, list_id=bl.id, video_id=video.id, field_id=foreign_field.id
        )
    assert info.value.resource == "custom field"


async def test_clear_field(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field, other = await make.field(bl.id), await make.field(bl.id)
    videos = [await make.video(bl.id) for _ in range(4)]
    for video in videos:
        await make.value(video, field, 1)
        await make.value(video, other, 1)
    cleared = await field_values.clear_field(
        conn,
        list_id=bl.id,
        field_id=field.id,
        video_ids=[v.id for v in videos[:3]] + [uuid.uuid4()],
    )
    assert cleared == 3
    assert [await stored(conn, v.id, field.id) for v in videos] == [None, None, None, 1]
    assert await make.count("video_field_values") == 5
    foreign = await make.field(other_list.id)
    with pytest.raises(NotFound):
        await field_values.clear_field(
            conn, list_id=bl.id, field_id=foreign.id, video_ids=[videos[3].id]
        )


async def test_fields_of_a_video(conn: asyncpg.Connection, make: Builder, bl: BookmarkList) -> None:
    rating = await make.field(bl.id, name="Rating")
    choice = await make.field(bl.id, "select", name="Quality")
    note = await make.field(bl.id, "text", name="Note")
    unused = await make.field(bl.id, "boolean", name="Unused")
    first = await make.schema(
        bl.id,
        [
            SchemaFieldIn(field_id=rating.id, display_order=5),
            SchemaFieldIn(field_id=choice.id, display_order=1, show_on_card=True),
        ],
    )
    # A second schema repeats the rating field, earlier and on the card: it appears once.
    second = await make.schema(
        bl.id,
        [
            SchemaFieldIn(field_id=rating.id, display_order=0, show_on_card=True),
            SchemaFieldIn(field_id=note.id, display_order=1),
        ],
    )
    tag_a = await make.tag(bl.id, schema_id=first.id)
    tag_b = await make.tag(bl.id, schema_id=second.id)
    bare_tag = await make.tag(bl.id)
    video = await make.video(bl.id)
    await make.value(video, rating, 4)
    await make.value(video, unused, True)

    assert await field_values.fields_of_video(conn, list_id=bl.id, video_id=video.id) == []
    await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[bare_tag.id])
    assert await field_values.fields_of_video(conn, list_id=bl.id, video_id=video.id) == []

    await tags.set_video_tags(
        conn, list_id=bl.id, video_id=video.id, tag_ids=[tag_a.id, tag_b.id, bare_tag.id]
    )
    got = await field_values.fields_of_video(conn, list_id=bl.id, video_id=video.id)
    assert [(f.name, f.display_order, f.show_on_card, f.value) for f in got] == [
        ("Rating", 0, True, Decimal(4)),
        ("Note", 1, False, None),
        ("Quality", 1, True, None),
    ]
    assert got[0].config == {"max_rating": 5} and got[0].updated_at is not None
    assert got[1].updated_at is None
    assert [f.field_id for f in got] == [rating.id, note.id, choice.id]


async def test_fields_of_a_missing_video(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    foreign = await make.video(other_list.id)
    for video_id in (foreign.id, uuid.uuid4()):
        with pytest.raises(NotFound) as info:
            await field_values.fields_of_video(conn, list_id=bl.id, video_id=video_id)
        assert info.value.resource == "video"
