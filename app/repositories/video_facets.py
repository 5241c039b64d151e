"""Facets of a list's videos under a search's filters: one statement each, so one snapshot.
With no filter, they come from the kept counts (facets_of_list, which also answers the fields'
types, so no lookup runs first; a number's or a date's min and max from the ends of its value
index, a number's avg from its kept sums); with filters, the statement
counts the matching videos (the search's condition fragments between facets_open and
facets_close; with an equality among them, its stream read between facets_driven_open and
facets_driven_close instead of the list's videos)."""

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import asyncpg

from app import field_types
from app.db import plans, queries
from app.db.execute import translated_errors
from app.errors import NotFound
from app.models.custom_fields import CustomField
from app.models.video_facets import (
    BooleanCount,
    BooleanFacet,
    DateFacet,
    Facet,
    NumberFacet,
    OptionCount,
    OptionsFacet,
    PresenceFacet,
    RatingCount,
    RatingFacet,
    VideoFacets,
    VideoFacetsQuery,
)
from app.repositories import custom_fields, lists, video_search

SQL = queries.load("video_facets")

CENT = Decimal("0.01")
# The matching videos' values are read by one probe of the primary key per video while they are
# at most 1/PROBED_SHARE of the list's videos, else in one pass over the fields' values (the
# statement picks as it runs, facets_close). At 1M the pass costs about 1.3 s whatever the count,
# a probe about 5 us: they meet near 280,000 videos.
PROBED_SHARE = 4


class _Field:
    """What the statement answered for one field: its type and config, how many matching videos
    hold a value, the aggregates of its column, and the count of each value or option held."""

    def __init__(
        self,
        field_id: UUID,
        field_type: str,
        config: dict[str, Any],
        row: asyncpg.Record | None = None,
    ) -> None:
        self.field_id = field_id
        self.field_type = field_type
        self.config = config
        self.filled: int = 0 if row is None else row["count"]
        self.aggregates = row
        self.held: dict[Any, int] = {}

    @classmethod
    def answered(cls, row: asyncpg.Record) -> "_Field":
        """From the field's own row of the statement."""
        return cls(row["field_id"], row["field_type"], row["config"], row)

    @classmethod
    def unanswered(cls, field: CustomField) -> "_Field":
        """A field no statement answered for: nothing matches."""
        return cls(field.id, field.field_type, field.config)

    def aggregate(self, name: str) -> Any:
        return None if self.aggregates is None else self.aggregates[name]


def _base(answer: _Field, total: int) -> dict[str, Any]:
    return {
        "field_id": answer.field_id,
        "field_type": answer.field_type,
        "filled": answer.filled,
        "empty": total - answer.filled,
    }


def _options(answer: _Field, total: int) -> Facet:
    counts = [OptionCount(value=o, count=answer.held.get(o, 0)) for o in answer.config["options"]]
    return OptionsFacet(**_base(answer, total), counts=counts)


def _rating(answer: _Field, total: int) -> Facet:
    # Every value 0..max_rating, and any other value held (a half star), in order; min, max and
    # avg from those counts, the same way filtered or not.
    values = {Decimal(v) for v in range(int(answer.config["max_rating"]) + 1)} | set(answer.held)
    counts = [RatingCount(value=v, count=answer.held.get(v, 0)) for v in sorted(values)]
    held = [c for c in counts if c.count]
    filled = sum(c.count for c in held)
    avg = None
    if filled:
        avg = (sum((c.value * c.count for c in held), Decimal(0)) / filled).quantize(
            CENT, ROUND_HALF_UP
        )
    return RatingFacet(
        **_base(answer, total),
        counts=counts,
        min=held[0].value if held else None,
        max=held[-1].value if held else None,
        avg=avg,
    )


def _boolean(answer: _Field, total: int) -> Facet:
    counts = [BooleanCount(value=v, count=answer.held.get(v, 0)) for v in (True, False)]
    return BooleanFacet(**_base(answer, total), counts=counts)


def _number(answer: _Field, total: int) -> Facet:
    return NumberFacet(
        **_base(answer, total),
        min=answer.aggregate("min_numeric"),
        max=answer.aggregate("max_numeric"),
        avg=answer.aggregate("avg_numeric"),
    )


def _date(answer: _Field, total: int) -> Facet:
    return DateFacet(
        **_base(answer, total), min=answer.aggregate("min_date"), max=answer.aggregate("max_date")
    )


def _presence(answer: _Field, total: int) -> Facet:
    return PresenceFacet(**_base(answer, total))


# Each field type's facet shape (TypeSpec.facet) and how it is built.
_SHAPES: dict[str, Callable[[_Field, int], Facet]] = {
    "options": _options,
    "rating": _rating,
    "boolean": _boolean,
    "number": _number,
    "date": _date,
    "presence": _presence,
}
assert {spec.facet for spec in field_types.TYPES.values()} <= set(_SHAPES), "a facet per type"


def _held_value(row: asyncpg.Record) -> Any:
    """The value a 'value' row counts, in its Python type."""
    for column in ("value_text", "value_numeric", "value_boolean"):
        if row[column] is not None:
            return row[column]
    raise AssertionError("a 'value' row without a value")


async def _fields(
    conn: asyncpg.Connection, list_id: UUID, query: VideoFacetsQuery
) -> dict[UUID, CustomField]:
    """The fields the query names, by id; NotFound names the list, else the first field not
    in it."""
    field_ids = [*query.fields, *(c.field_id for c in query.filters)]
    return await custom_fields.get_many(conn, list_id=list_id, field_ids=field_ids)


def _of_list(list_id: UUID, wanted: list[UUID]) -> tuple[str, list[Any]]:
    """Unfiltered facets: from the kept counts, and a number's or date's value index ends."""
    return SQL["facets_of_list"].text, [list_id, wanted]


async def _filtered(
    conn: asyncpg.Connection,
    list_id: UUID,
    query: VideoFacetsQuery,
    fields: Mapping[UUID, CustomField],
) -> tuple[str, list[Any]] | None:
    """The statement of facets under filters, with its parameters (None when the filters
    contradict each other: nothing matches)."""
    conditions = video_search.conditions_of(query.filters, fields)
    if video_search.contradicts(query.filters, conditions, fields):
        return None
    # The kept counts settle a presence on a field every video holds, or none does: without
    # it the list's every video was read to find all of them, or none (at 100k, Rating
    # is_empty: 105 ms for a total of 0).
    settled = await video_search.settle_presence(conn, list_id, query.filters, conditions)
    if settled is None:
        return None
    if not settled[0]:  # every filter holds for every video: the unfiltered facets
        return _of_list(list_id, list(dict.fromkeys(query.fields)))
    filters = [condition for condition, _ in settled[0]]
    conditions = [part for _, part in settled[0]]
    statement = video_search.Statement(SQL, name="facets")
    # A rare range beside the equalities is read first (at 1M, Status = done with 86 videos'
    # Minutes: 14.8 -> 2.5 ms); driving by the equality read its whole stream.
    # A sparse text range (or one beside no equality) is read by its index: streaming the
    # equality probed the text per video (at 1M, Status = done with Notes containing "quebec
    # romeo", 24 videos: 252 ms), and the planner walked every video of the list without one
    # (410 ms for its 278).
    # With neither nor an equality, a range is read from its value index (value_range_read).
    driving = None
    counted = await video_search.counted_range(conn, filters, conditions, fields)
    if counted is not None and counted.few:
        read: tuple[int, video_search.Part] | None = (counted.number, counted.capped[0])
    else:
        read = await video_search.text_read(conn, list_id, filters, conditions, fields)
        if read is None:
            driving = await video_search.driving_ranges(conn, filters, conditions, fields)
        if read is None and driving is None:
            read = video_search.value_range_read(conditions) or video_search.presence_read(
                filters, conditions, fields, settled[1]
            )
    if read is not None:
        number, (fragment, values) = read
        statement.add("facets_driven_open")
        statement.add("facets_read_open")
        statement.add(fragment, **values)
        statement.add("facets_driven_close")
        conditions = conditions[:number] + conditions[number + 1 :]
    elif driving is None:
        statement.add("facets_open", list_id=list_id)
    else:
        driver, ranges = driving
        statement.add("facets_driven_open")
        for fragment, values in ranges:
            statement.add(fragment, **values)
        statement.add("facets_driven_close")
        conditions = conditions[:driver] + conditions[driver + 1 :]
    for fragment, values in conditions:
        statement.add(fragment, prefix="AND ", **values)
    wanted = list(dict.fromkeys(query.fields))
    # Option sets are read apart from the other values, from their own index.
    option_field_ids = [
        f for f in wanted if field_types.spec(fields[f].field_type).column == "value_options"
    ]
    statement.add(
        "facets_close",
        list_id=list_id,
        field_ids=wanted,
        scalar_field_ids=[f for f in wanted if f not in option_field_ids],
        option_field_ids=option_field_ids,
        probed_share=PROBED_SHARE,
    )
    return statement.text, statement.params


async def statement_of(
    conn: asyncpg.Connection, *, list_id: UUID, query: VideoFacetsQuery
) -> tuple[str, list[Any]] | None:
    """The statement facets() answers from, without running it (for EXPLAIN and the bench)."""
    if query.filters:
        return await _filtered(conn, list_id, query, await _fields(conn, list_id, query))
    return _of_list(list_id, list(dict.fromkeys(query.fields)))


async def _check_answered(
    conn: asyncpg.Connection, list_id: UUID, wanted: list[UUID], rows: list[asyncpg.Record]
) -> None:
    """Unfiltered facets answer a row for each field of the list asked for; NotFound names the
    list, else the first field asked for that is not in it."""
    answered = {row["field_id"] for row in rows if row["kind"] == "field"}
    missing = next((field_id for field_id in wanted if field_id not in answered), None)
    if missing is not None:
        await lists.ensure_exists(conn, list_id=list_id)  # the list's NotFound first
        raise NotFound("custom field", missing)


async def _fetch(conn: asyncpg.Connection, statement: tuple[str, list[Any]]) -> list[Any]:
    with translated_errors(conn):
        return list(await conn.fetch(statement[0], *statement[1]))


async def facets(
    conn: asyncpg.Connection, *, list_id: UUID, query: VideoFacetsQuery
) -> VideoFacets:
    """For each field asked for: how many videos matching the filters hold a value, and its
    counts, min, max and average by type (see app/models/video_facets.py)."""
    wanted = list(dict.fromkeys(query.fields))
    fields: Mapping[UUID, CustomField] = {}
    rows: list[asyncpg.Record] = []
    if query.filters:  # the conditions are built by the fields' types: looked up first
        fields = await _fields(conn, list_id, query)
        statement = await _filtered(conn, list_id, query, fields)
        if statement is not None:
            # Its semi-joins take each video of a stream once: Memoize would cache nothing, and
            # the planner, expecting repeats, chose it over hashing (at 1M, "Rating >= 4" beside
            # "Watched = true", 150,110 videos probed one by one: 2.8 s against 0.66 hashed).
            # And it groups many values into few: hashed, where the planner had sorted them all.
            await plans.plan_to_count(conn)
            rows = await _fetch(conn, statement)
    else:  # the counts answer with the fields' types: no lookup first
        # They read the list's kept counts by field ids: one plan fits any list and field,
        # and planning it each run took twice as long as running it (1.05 -> 0.32 ms at 1M).
        await plans.plan_generically(conn)
        rows = await _fetch(conn, _of_list(list_id, wanted))
        await _check_answered(conn, list_id, wanted, rows)
    total = next((row["count"] for row in rows if row["kind"] == "total"), 0)

    def answer(field_id: UUID) -> _Field:
        row = next((r for r in rows if r["field_id"] == field_id and r["kind"] == "field"), None)
        if row is None:  # no statement ran (contradicting filters), or the field is gone since
            return _Field.unanswered(fields[field_id])
        return _Field.answered(row)

    answers = {field_id: answer(field_id) for field_id in wanted}
    for row in rows:
        if row["kind"] == "value":
            answers[row["field_id"]].held[_held_value(row)] = row["count"]
    return VideoFacets(
        total=total,
        facets=[
            _SHAPES[field_types.spec(answer.field_type).facet](answer, total)
            for answer in answers.values()
        ],
    )
