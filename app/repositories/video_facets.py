"""Facets of a list's videos under a search's filters: one statement each, so one snapshot.
With no filter, they come from the kept counts (facets_of_list; a number's or a date's figures
from its value index, facets_of_list_ranges); with filters, the statement
counts the matching videos (the search's condition fragments between facets_open and
facets_close; with an equality among them, its stream read between facets_driven_open and
facets_driven_close instead of the list's videos)."""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import asyncpg

from app import field_types
from app.db import queries
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


# The facet shapes whose figures (min, max, avg) come from the field's value index: over the
# whole list, the kept counts hold no such figure (facets_of_list_ranges).
_RANGED = frozenset({"number", "date"})


class _Field:
    """What the statement answered for one field: its config, how many matching videos hold a
    value, the aggregates of its column (in the field's row, or in a row of its own over the
    whole list), and the count of each value or option held."""

    def __init__(
        self, field: CustomField, row: asyncpg.Record | None, ranges: asyncpg.Record | None
    ) -> None:
        self.field = field
        self.config: dict[str, Any] = field.config if row is None else row["config"]
        self.filled: int = 0 if row is None else row["count"]
        self.aggregates = ranges or row
        self.held: dict[Any, int] = {}

    def aggregate(self, name: str) -> Any:
        return None if self.aggregates is None else self.aggregates[name]


def _base(answer: _Field, total: int) -> dict[str, Any]:
    field = answer.field
    return {
        "field_id": field.id,
        "field_type": field.field_type,
        "filled": answer.filled,
        "empty": total - answer.filled,
    }


def _options(answer: _Field, total: int) -> Facet:
    counts = [OptionCount(value=o, count=answer.held.get(o, 0)) for o in answer.config["options"]]
    return OptionsFacet(**_base(answer, total), counts=counts)


def _rating(answer: _Field, total: int) -> Facet:
    # Every value 0..max_rating, and any other value held (a half star), in order; min, max and
    # avg from those counts, the same way filtered or not.
    values = {Decimal(v) for v in range(answer.config["max_rating"] + 1)} | set(answer.held)
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


async def _statement(
    conn: asyncpg.Connection, list_id: UUID, query: VideoFacetsQuery
) -> tuple[dict[UUID, CustomField], tuple[str, list[Any]] | None]:
    """The fields asked for and filtered on, and the facets' statement with its parameters
    (None when the filters contradict each other: nothing matches)."""
    try:
        fields = await custom_fields.get_many(
            conn, list_id=list_id, field_ids=[*query.fields, *(c.field_id for c in query.filters)]
        )
    except NotFound:
        await lists.ensure_exists(conn, list_id=list_id)  # the list's NotFound first
        raise
    wanted = list(dict.fromkeys(query.fields))
    conditions = video_search.conditions_of(query.filters, fields)
    if video_search.contradicts(query.filters, conditions):
        return fields, None
    if not conditions:
        ranged = [f for f in wanted if field_types.spec(fields[f].field_type).facet in _RANGED]
        if not ranged:
            return fields, (SQL["facets_of_list"].text, [list_id, wanted])
        text = f"{SQL['facets_of_list'].text}\n{SQL['facets_of_list_ranges'].sql}"
        return fields, (text, [list_id, wanted, ranged])
    statement = video_search.Statement(SQL, name="facets")
    driving = await video_search.driving_ranges(conn, query.filters, conditions, fields)
    if driving is None:
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
    statement.add("facets_close", list_id=list_id, field_ids=wanted)
    return fields, (statement.text, statement.params)


async def statement_of(
    conn: asyncpg.Connection, *, list_id: UUID, query: VideoFacetsQuery
) -> tuple[str, list[Any]] | None:
    """The statement facets() would run, without running it (for EXPLAIN and the bench)."""
    return (await _statement(conn, list_id, query))[1]


async def facets(
    conn: asyncpg.Connection, *, list_id: UUID, query: VideoFacetsQuery
) -> VideoFacets:
    """For each field asked for: how many videos matching the filters hold a value, and its
    counts, min, max and average by type (see app/models/video_facets.py)."""
    fields, statement = await _statement(conn, list_id, query)
    rows: list[asyncpg.Record] = []
    if statement is not None:
        with translated_errors():
            rows = await conn.fetch(statement[0], *statement[1])
    total = next((row["count"] for row in rows if row["kind"] == "total"), 0)

    def row_of(kind: str, field_id: UUID) -> asyncpg.Record | None:
        return next((r for r in rows if r["kind"] == kind and r["field_id"] == field_id), None)

    answers = {
        field_id: _Field(fields[field_id], row_of("field", field_id), row_of("range", field_id))
        for field_id in dict.fromkeys(query.fields)
    }
    for row in rows:
        if row["kind"] == "value":
            answers[row["field_id"]].held[_held_value(row)] = row["count"]
    return VideoFacets(
        total=total,
        facets=[
            _SHAPES[field_types.spec(answer.field.field_type).facet](answer, total)
            for answer in answers.values()
        ],
    )
