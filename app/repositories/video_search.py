"""Search a list's videos by field conditions (AND), sorted, keyset-paged.

The statement is assembled only from the fixed fragments of sql/video_search.sql, picked by
whitelisted names; every value is a bound parameter."""

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

import asyncpg

from app import field_types
from app.db import queries
from app.db.execute import translated_errors
from app.db.queries import Query
from app.errors import InvalidInput, InvalidValue, NotFound
from app.field_types import PRESENCE_OPS
from app.models.base import MAX_NUMBER_EXPONENT, bindable, number_of
from app.models.custom_fields import CustomField
from app.models.video_search import Condition, VideoSearch
from app.models.videos import VideoPage
from app.repositories import custom_fields, field_values, lists, paging

SQL = queries.load("video_search")

_PLACEHOLDER = re.compile(r"(?<![:\w]):([a-z_]+)\b")
MAX_IN_VALUES = 200
# A select's "in" drives as a merge of one range per option, up to this many.
MAX_STREAMS = 20
# Candidate driving conditions are compared by how far back their PROBE_DEPTH-th match lies in
# the page's order: a hundred index entries each, whatever the size of the list.
PROBE_DEPTH = 100
# A "contains" or "starts_with" condition (with no equality), or a range on a number or date
# field, drives a page newest first one of two ways. Its field's values stream in that order
# (stream_text_*, stream_range_open: an index-only scan), each checked: wanted / density
# values read, the density among the field's values. Or an index finds its matches in no
# order (the trigram or prefix index, the value index) and they are read and sorted: density
# x values. A value streamed costs about what a match read does (~0.3-0.6 us at 1M; a trigram
# match, rechecked in the heap, ~5 us), so the two cost alike at a density of
# sqrt(wanted x STREAM_FACTOR / values): 1.6% of a field of 200,000 values. The app measures
# the density among the first STREAM_PROBE_DEPTH values the stream reads (~0.2 ms), and reads
# at most twice the matches of that density before it streams after all.
TEXT_RANGES = ("contains", "starts_with")
STREAM_FACTOR = 1.0
STREAM_PROBE_DEPTH = 500
# The fields whose values stream in order of creation from an index of their own, each value
# checked there (checked_<fragment>): (the stream's first fragment, the density sample's
# source, None where no condition of the type has an index read to choose). A multi_select's
# has_any, has_all and has_none stream as a number's range does (migration 0035's index), and
# its few matches are read from the options' GIN index.
STREAMED_FIELDS = {
    field_types.FieldType.NUMBER: ("stream_range_open", "density_range_from"),
    field_types.FieldType.DATE: ("stream_range_open", "density_range_from"),
    field_types.FieldType.MULTI_SELECT: ("stream_options_open", "density_options_from"),
    field_types.FieldType.TEXT: ("stream_text_open", None),
    field_types.FieldType.URL: ("stream_text_open", None),
}
OPTION_CHECKS = ("options_has_any", "options_has_all", "options_has_none")
# The conditions no index finds the matches of: "ne" (a value index holds two ranges around
# it, one of them most of the field), has_none (a GIN index finds what an array holds, not what
# it lacks). On these types they always stream, reading the field's values only, where the
# walk probed every video of the list (a field on 1% of the videos: 100 probes a match).
STREAM_ONLY = ("numeric_ne", "date_ne", "text_ne", "options_has_none")
# How many matches of an equality a page sorted by a field reads and sorts at most before it
# walks the field's value index instead: sorting costs a probe of the sort value per match,
# the walk a probe of the filter per video it passes (1/density of them per row of the page);
# at 1M videos the two meet around 1% of the list.
SORT_CAP = 10_000
# Up to sqrt(SORT_FEW_FACTOR x the list's videos) matches (capped_close_few), each one's sort
# value is looked up and the matches sorted (about 7-13 us each); with more, the field's value
# index is walked in order against a hash of them (about 0.2 us per entry walked, videos /
# matches entries per row of the page). The two cost alike near the square root of the list's
# size: 1,000 matches at 1M videos, 316 at 100k, where a fixed 1,000 sorted 501 in 6.5 ms and
# the walk took 2 ms.
SORT_FEW_FACTOR = 1.0
# A range an index reads, tried before an equality's walks (sort_read), is read and sorted up
# to sqrt(RANGE_FIRST_FEW_FACTOR x the list's videos) matches (1,000 at 100k), each probed
# for the equality: those walks stop at a full page, so they read most of the sort field's
# order when few of the equality's matches hold the range (at 100k, Watched = true and Notes
# starting with "alpha", 680 matches, sorted by Published: 340 ms walked, 14 read and sorted;
# 396 searches of one or two conditions sorted by six fields, 6.6 -> 5.7 s in all). Past the
# equality's cap, its walk probes each video for both, wanted x videos^2 / (equality's x
# range's matches) of them under independence, which costs what reading the range does at
# videos x sqrt(wanted / equality's matches) matches, sqrt(wanted x videos) at the least: the
# range is read up to that many before the walk (at 1M, Favorite = true (19,952) and Notes
# starting with "alpha" (6,784) sorted by Published: 2.7 s walked).
RANGE_FIRST_FEW_FACTOR = 10.0
# With other conditions to probe, a page sorted by a field sorts up to OTHERS_FEW_FACTOR
# times its few matches (after a range read first, where there is one) before it walks the
# field's order against a hash of them: that walk stops at a full page, so it reads
# videos / (matches x the others' share) entries a row, unbounded when few of the matches
# hold the others, where the sort costs a probe or two per match (at 100k, Status = rewatch
# (501) and Topics holding topic03 sorted by Rating: 31 -> 14 ms). A match sorted costs 7-13
# us (SORT_FEW_FACTOR): at 1M, up to 2,000 of them, 14-26 ms at most.
OTHERS_FEW_FACTOR = 2
# With several equalities on fields the kept counts hold by value (KEPT_BY_VALUE), a page
# sorted by a field reads the matches of the fewest, joined with the next fewest's when those
# are at most INTERSECT_FACTOR times as many (capped_also_open): an index entry read costs
# about a tenth of the probe per match it replaces (0.22 against 2.5 us at 100k under
# row-level security), and the count of the matches that hold both then chooses between the
# sort and the walk, where the first's count alone sent 501 matches holding nothing of the
# second to a walk of the sort field's whole order (Status = rewatch and Language = lang03
# sorted by Rating at 100k: 25 -> 5 ms). The kept counts also choose the first, where the
# sparseness probe would (_driver).
INTERSECT_FACTOR = 10
KEPT_BY_VALUE = {
    field_types.FieldType.SELECT: "texts",
    field_types.FieldType.RATING: "numbers",
    field_types.FieldType.BOOLEAN: "booleans",
}
# Before reading every match of the equality, a page sorted by a field reads those that hold
# the page's first value (the field's first in the sort's order, or the cursor's), in creation
# order, the order among equal values: when they fill the page, they are the page. It reads at
# most SORT_VALUE_FIRST_FACTOR x the page's rows of the equality's stream, so a value rare
# among the matches costs that much before the sort of them all (0: never). At 1M, "Status =
# rewatch" (5,046 videos) by Rating descending: the first value, 5, fills the page within the
# first 255 matches, where the matches sorted read all 5,046 (4.5 ms).
SORT_VALUE_FIRST_FACTOR = 20.0
# A rating's range of more values than MAX_STREAMS has its matches in a value index, by
# value. A page of them newest first either walks the list, probing each video
# (wanted / density videos), or reads every match from the index and sorts them (density x
# videos matches). A video walked costs about RANGE_READ_FACTOR matches read (~4 us against
# ~0.3 us at 1M), so the two cost alike at a density of sqrt(wanted x factor / videos): 2.6%
# of 1M videos, 8.1% of 100k. The app measures the density among the RANGE_PROBE_DEPTH videos
# the walk reads first (density_*), and reads at most twice the matches of that density (the
# sample is small) before it walks after all.
RANGE_READ_FACTOR = 13
RANGE_PROBE_DEPTH = 100
# The fragments of the conditions whose matches one range of a value index holds.
VALUE_RANGES = {
    "numeric_gt",
    "numeric_gte",
    "numeric_lt",
    "numeric_lte",
    "numeric_between",
    "date_before",
    "date_after",
    "date_on_or_before",
    "date_on_or_after",
    "date_between",
}
# Beside an equality, a range of a number or a date (no kept count says how many videos it
# holds) has its matches counted up to this many first; with fewer, they are read, sorted
# and probed for the other conditions, else the equality drives. Left to drive, a common
# equality read its whole stream to meet a rare range (at 1M, Status = done with Minutes
# between 42.5 and 42.6: 75,052 entries hashed against 86 matches, 13.8 ms through the
# repository, 2.7 ms read first); the count costs a common range about 0.35 ms, its planning
# and round trip more than its read. Probing a match costs about what a video of the
# equality's stream does, so the two ways meet near sqrt(wanted x videos) matches (7,100 at
# 1M, 2,300 at 100k): this cap stays under that for lists of 20,000 videos and more, and
# bounds the worst read (0: the equality always drives).
RANGE_FIRST_CAP = 1_000
RANGE_FIRST_TYPES = (field_types.FieldType.NUMBER, field_types.FieldType.DATE)
# The rows a first page reads by default (its limit, and one to tell whether more follow): the
# facets, which read every match, choose their text range as such a page would.
FIRST_PAGE = VideoSearch.model_fields["limit"].default + 1
# Per operator, the types on which it alone streams its field (STREAMED_FIELDS), each value
# checked (or, few, reads its matches from an index), or is_not_empty: one shape of statement
# each, whatever the value, planned once (planned_generically).
# The fragments a field's stream checks value by value (checked_<fragment>).
_STREAM_CHECKED = VALUE_RANGES | set(OPTION_CHECKS) | set(STREAM_ONLY)
STREAMED_ALONE = {
    op: types
    for op in {op for t in STREAMED_FIELDS for op in field_types.spec(t).operators}
    if (
        types := tuple(
            field_type
            for field_type in STREAMED_FIELDS
            if op == "is_not_empty"
            or field_types.spec(field_type).operators.get(op) in _STREAM_CHECKED
        )
    )
}
# A rating's range (gt, gte, lt, lte, between), a rating's or a select's "ne", a select's
# "not_in", or "is_not_empty" on either, when no equality or text range drives, drives a
# newest-first page like an "in" of the values its videos hold that match, as the kept counts
# say (at most MAX_STREAMS of them): one stream per value, merged in order, where the
# condition would walk the list probing each video (Rating above 3 at 1M: the walk reads 2.5
# videos per row of the page; the streams one entry).
HELD_OPS = ("gt", "gte", "lt", "lte", "between", "ne", "not_in", "is_not_empty")
# The fields whose values the kept counts hold one by one, and few of them (a rating's
# 0..max_rating, at most 10; a select's options in use), with the read of those values: the
# database counts these types by value (is_counted_by_value(), which a test holds to this).
HELD_OPEN = {
    field_types.FieldType.RATING: "held_numeric_open",
    field_types.FieldType.SELECT: "held_text_open",
}
# An is_empty that holds for fewer than this share of the list's videos is not walked (the
# walk probes 1 / share videos a row of the page: at 1M, 5 videos without a Rating took
# 4.6-9.3 s, past the statement timeout): the page reads the list's videos less the field's
# values, both in the page's order, in one merge anti join of index entries (_absent_head).
ABSENT_DENSITY = 0.05
# The head of a walk of the sort field's value index, where it is not the field's sort_head:
# the value rows alone, the page's videos looked up once it is cut to its limit
# (looked_up_open). A walk passes many values to keep a page's few, and looking each one's
# video up before the conditions' probes doubled its cost (at 100k, Watched = true and Topics
# holding topic03 sorted by Published: 9,446 videos looked up for 51). A sort by a
# multi_select sorts each group of sets sharing their first two options whole (at 1M the
# first group is 7,413 sets), also before its page is cut. Under an equality's capped matches
# it keeps the sort_head, which looks them up: without them, the planner sorted the matches
# it read from another index (4.4 -> 10 ms under a common select at 100k).
WALK_HEADS = {
    "valued_options_field": "valued_options_keys",
    "valued_numeric_field": "valued_numeric_keys",
    "valued_text_field": "valued_text_keys",
    "valued_boolean_field": "valued_boolean_keys",
    "valued_date_field": "valued_date_keys",
}
LOOKED_UP_AFTER_THE_PAGE = frozenset(WALK_HEADS.values())
# The walk of a multi_select's order reads the sets of at most two options, which its index
# holds by creation within a group of their first two options, apart from the others, whose
# groups it sorts (options_split_open, migration 0050): at 1M the first group, the 7,413 sets
# of the single option "topic00", was read and sorted whole for a page of 50. Without a
# condition, or past the cap of one common equality (probed per video: estimating the field's
# rows at a tenth, the planner hashed all of them against the equality's in each part).
SPLIT_BY_SET_SIZE = frozenset({"valued_options_keys"})
# Under a range past its cap and no equality, such a walk probes each video for every
# condition (split in two parts) once the field holds SPLIT_WALK_MIN_SETS sets. Left to the
# planner, it hashes the field's every set against the range's matches, a cost that grows
# with the field (at 1M, 399,245 sets: Minutes >= 300 and Rating >= 4 by Topics 460-540 ms,
# probed 13-21); the probed walk's grows with how few videos match (at 100k, 40,048 sets:
# Minutes >= 300 and Published before 2012 by Topics 11 ms hashed, 72 probed).
SPLIT_WALK_MIN_SETS = 100_000
# A trigram index finds a substring only through its trigrams: one of three letters or digits.
_TRIGRAM = re.compile(r"[^\W_]{3}")


class Statement:
    """Fragments joined in order, their :placeholders numbered into bound parameters. The
    fragments come from sql/video_search.sql, and from `extra` (another resource's file that
    builds on its conditions)."""

    def __init__(self, extra: Mapping[str, Query] | None = None, name: str = "search") -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []
        self.extra: Mapping[str, Query] = extra or {}
        self.name = name

    def add(self, fragment: str, prefix: str = "", **values: Any) -> None:
        numbers: dict[str, str] = {}

        def bind(match: re.Match[str]) -> str:
            name = match[1]
            if name not in numbers:
                self.params.append(values[name])
                numbers[name] = f"${len(self.params)}"
            return numbers[name]

        self.parts.append(prefix + _PLACEHOLDER.sub(bind, self.fragment(fragment).sql))
        unused = set(values) - set(numbers)
        assert not unused, f"{fragment} has no placeholder for {unused}"

    def fragment(self, name: str) -> Query:
        # Looked up in turn, not merged once: copying ~140 fragments cost each statement 20 us.
        return self.extra[name] if name in self.extra else SQL[name]

    @property
    def text(self) -> str:
        return f"/* video_search.{self.name} */\n" + "\n".join(self.parts)


def _refuse(condition: Condition, field: CustomField, rule: str, message: str) -> InvalidValue:
    return InvalidValue.one(
        rule, f'{message} (field "{field.name}", op {condition.op})', field_id=field.id
    )


def _number(condition: Condition, field: CustomField, value: Any) -> Decimal:
    number = number_of(value)
    if number is None:
        raise _refuse(condition, field, "search_value_type", "the value must be a number")
    if not bindable(number):
        raise _refuse(
            condition,
            field,
            "search_value_type",
            f"the value must be a finite number within 1e-{MAX_NUMBER_EXPONENT}.."
            f"1e{MAX_NUMBER_EXPONENT}",
        )
    return number


def _text(condition: Condition, field: CustomField, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _refuse(condition, field, "search_value_type", "the value must be a non-empty string")
    if len(value) > field_types.MAX_URL_LENGTH:
        # No value held is longer (a text is at most 2,000 bytes, a url 2,048 characters),
        # and a "contains" of 30,000 characters ran past the statement timeout (503).
        raise _refuse(
            condition,
            field,
            "search_value_type",
            f"the value must be at most {field_types.MAX_URL_LENGTH} characters (no value held "
            "is longer)",
        )
    if field_types.spec(field.field_type).has_options and value not in field.config["options"]:
        raise _refuse(
            condition,
            field,
            "search_value_option",
            f"{value!r} is not one of the field's options {field.config['options']}",
        )
    return value


def _date(condition: Condition, field: CustomField, value: Any) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _refuse(condition, field, "search_value_type", "the value must be a date as YYYY-MM-DD")


# How a search value of each Python value type is read and checked.
_SEARCH_VALUE: dict[type, Callable[[Condition, CustomField, Any], Any]] = {
    Decimal: _number,
    date: _date,
    str: _text,
}


def _key(field: CustomField) -> dict[str, Any]:
    """The placeholders naming a field's values: list_id beside field_id, so that a probe names
    the value's whole primary key, a stream or a range its value index's first two columns
    (and, under Citus, the list's shard)."""
    return {"field_id": field.id, "list_id": field.list_id}


def _condition_values(condition: Condition, field: CustomField) -> dict[str, Any]:
    """The bound values of a condition's fragment, checked against the field and operator."""
    op, value = condition.op, condition.value
    if op in PRESENCE_OPS:
        if value is not None:
            raise _refuse(condition, field, "search_value_type", "this operator takes no value")
        return {}
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise _refuse(condition, field, "search_value_type", "the value must be [low, high]")
        read = _SEARCH_VALUE[field_types.spec(field.field_type).value_type]
        low, high = (read(condition, field, v) for v in value)
        if low > high:  # two numbers or two dates
            raise _refuse(condition, field, "search_value_range", "low must not exceed high")
        return {"low": low, "high": high}
    if op in ("in", "not_in", "has_any", "has_all", "has_none"):
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_IN_VALUES:
            raise _refuse(
                condition,
                field,
                "search_value_type",
                f"the value must be a list of 1..{MAX_IN_VALUES} options",
            )
        return {"values": [_text(condition, field, v) for v in value]}
    value_type = field_types.spec(field.field_type).value_type
    if value_type is bool:
        if not isinstance(value, bool):
            raise _refuse(condition, field, "search_value_type", "the value must be true or false")
        return {"value": value}
    if value_type not in _SEARCH_VALUE:
        raise AssertionError(f"no search value rule for {value_type}")  # a new type's gap
    return {"value": _SEARCH_VALUE[value_type](condition, field, value)}


# A fragment name with the values of its placeholders.
Part = tuple[str, dict[str, Any]]


def _page(
    head: Part | list[Part],
    conditions: list[Part],
    after: Part | None,
    order: str,
    limit: int,
    statement: Statement | None = None,
    walked: bool = False,
    per_video: Collection[int] = (),
) -> Statement:
    """The page's statement (or `statement` continued with it); `walked`: each condition is
    probed per video (walked_open), `per_video`: those conditions (by index). A head that
    reads no video row (LOOKED_UP_AFTER_THE_PAGE) has its page's videos looked up once the
    page is cut (looked_up_open); one of SPLIT_BY_SET_SIZE is read in two parts, each cut to
    the page (options_split_open)."""
    statement = statement or Statement()
    head = head if isinstance(head, list) else [head]
    looked_up = head[0][0] in LOOKED_UP_AFTER_THE_PAGE

    def add_page(head: list[Part], order: str, after: Part | None = after) -> None:
        statement.add("page_open")
        for fragment, values in head:
            statement.add(fragment, **values)
        _add_conditions(statement, conditions, walked, per_video)
        _close_page(statement, after, order, limit)

    if looked_up:
        statement.add("looked_up_open")
    # Split only where each condition is probed per video: read whole (a semi-join), a
    # condition would be read by both parts (Notes containing "alpha" sorted by Topics at 100k:
    # 54 -> 88 ms).
    probed = walked or len(set(per_video)) == len(conditions)
    if head[0][0] in SPLIT_BY_SET_SIZE and probed:
        statement.add("options_split_open")
        # The short sets' own keyset starts their walk at the cursor (after_options_short_*).
        short_after = after and (after[0].replace("_options_", "_options_short_"), after[1])
        add_page(
            [*head, ("options_short", {})],
            order.replace("_options_", "_options_short_"),
            short_after,
        )
        statement.add("options_split_union")
        add_page([*head, ("options_long", {})], order)
        statement.add("options_split_close")
        statement.add(order)
        statement.add("page_limit", limit=limit)
    else:
        add_page(head, order)
    if looked_up:
        statement.add("looked_up_close", list_id=head[0][1]["list_id"])
        statement.add(order)
    return statement


def _close_page(statement: Statement, after: Part | None, order: str, limit: int) -> None:
    """Ends a page's rows: after the cursor, in the page's order, at most `limit`."""
    statement.add("page_close")
    if after is not None:
        statement.add(after[0], **after[1])
    statement.add(order)
    statement.add("page_limit", limit=limit)


def _add_conditions(
    statement: Statement, conditions: list[Part], walked: bool, per_video: Collection[int] = ()
) -> None:
    for number, (fragment, values) in enumerate(conditions):
        if walked or number in per_video:
            statement.add("walked_open", prefix="AND ")
            statement.add(fragment, **values)
            statement.add("walked_close")
        else:
            statement.add(fragment, prefix="AND ", **values)


def conditions_of(filters: list[Condition], fields: Mapping[UUID, CustomField]) -> list[Part]:
    """One probe fragment per condition, in the order of the filters, each checked against its
    field and operator (InvalidValue names what does not fit)."""
    parts = []
    for condition in filters:
        field = fields[condition.field_id]
        operators = field_types.spec(field.field_type).operators
        fragment = operators.get(condition.op)
        if fragment is None:
            raise _refuse(
                condition,
                field,
                "search_operator",
                f"a {field.field_type} field does not take this operator; it takes "
                + ", ".join(operators),
            )
        parts.append((fragment, {**_key(field), **_condition_values(condition, field)}))
    return parts


def _stream(
    condition: Condition, field: CustomField, part: Part, held: list[Any] | None = None
) -> list[Part] | None:
    """The condition as ranges of its value index (a stream), or None when it is not an
    equality, nor a condition of the few values `held` (_held_values), nor a boolean's
    is_not_empty (its two values): it then stays a probe."""
    values = part[1]
    stream = field_types.spec(field.field_type).stream
    if stream is None:
        return None
    key = _key(field)
    if held is not None:
        return [(stream, {**key, "value": value}) for value in held]
    if condition.op == "is_not_empty" and field.field_type == field_types.FieldType.BOOLEAN:
        return [(stream, {**key, "value": value}) for value in (True, False)]
    if condition.op == "eq":
        return [(stream, {**key, "value": values["value"]})]
    if condition.op == "between" and values["low"] == values["high"]:
        return [(stream, {**key, "value": values["low"]})]
    if condition.op == "in" and len(set(values["values"])) <= MAX_STREAMS:
        return [(stream, {**key, "value": value}) for value in dict.fromkeys(values["values"])]
    return None


def _candidates(
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
    held: Mapping[int, list[Any]] | None = None,
) -> list[tuple[int, list[Part]]]:
    """The conditions that can drive (equalities, and the ranges of few values `held`), as
    (their index, their stream's ranges)."""
    held = held or {}
    return [
        (number, streams)
        for number, (condition, part) in enumerate(zip(filters, conditions, strict=True))
        if (streams := _stream(condition, fields[condition.field_id], part, held.get(number)))
        is not None
    ]


def _bounds(op: str, values: Mapping[str, Any]) -> tuple[Any, Any]:
    """The ends of the held values a condition reads (both included; None: open)."""
    if op == "between":
        return values["low"], values["high"]
    if op in ("gt", "gte"):
        return values["value"], None
    if op in ("lt", "lte"):
        return None, values["value"]
    return None, None  # ne, is_not_empty: every value held


def _matches(op: str, values: Mapping[str, Any], value: Any) -> bool:
    """Whether a held value, read within the condition's ends, matches it."""
    if op == "gt":
        return bool(value > values["value"])
    if op == "lt":
        return bool(value < values["value"])
    if op == "ne":
        return bool(value != values["value"])
    if op == "not_in":
        return value not in values["values"]
    return True  # the read's ends were the condition's own


async def _held_values(
    conn: asyncpg.Connection,
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
    switch: bool = True,
) -> dict[int, list[Any]]:
    """The held values that match each condition of HELD_OPS on a field of HELD_OPEN (a
    rating above 3: 4 and 5; a select other than "todo": "doing" and "done"), by the
    condition's index, when the kept counts show at most MAX_STREAMS: such a condition drives
    like an "in" of them. An empty list: no video matches. One statement for them all; a
    condition alone in the search switches the page to one generic plan (held_switch_open), as
    planned_generically does for an "in" (unless not `switch`)."""
    asked = [
        (number, condition, values)
        for number, (condition, (_, values)) in enumerate(zip(filters, conditions, strict=True))
        if condition.op in HELD_OPS and fields[condition.field_id].field_type in HELD_OPEN
    ]
    if not asked:
        return {}
    statement = Statement(name="held_values")
    alone = switch and len(filters) == 1
    if alone:  # the page will be its streams alone: planned once for any values
        statement.add("held_switch_open", switch=conn.is_in_transaction(), most=MAX_STREAMS + 1)
    for arm, (number, condition, values) in enumerate(asked):
        if arm:
            statement.add("held_union")
        field = fields[condition.field_id]
        statement.add(HELD_OPEN[field.field_type], condition=number, **_key(field))
        low, high = _bounds(condition.op, values)
        if low is not None:
            statement.add("held_from", low=low)
        if high is not None:
            statement.add("held_to", high=high)
        statement.add("held_close", most=MAX_STREAMS + 1)
    if alone:
        statement.add("held_switch_close")
    found: dict[int, list[Any]] = {number: [] for number, _, _ in asked}
    column = {
        number: field_types.spec(fields[condition.field_id].field_type).column
        for number, condition, _ in asked
    }
    for row in await _fetch(conn, statement):
        found[row["condition"]].append(row[column[row["condition"]]])
    return {
        number: [value for value in found[number] if _matches(condition.op, values, value)]
        for number, condition, values in asked
        if len(found[number]) <= MAX_STREAMS
    }


def _ranges(streams: list[Part], direction: str, after: Part | None = None) -> list[Part]:
    """A stream's ranges, each ordered in the page's direction, joined by UNION ALL: what the
    page reads (driven_*) and what the sparseness probe measures (probe_*). `after`: each
    range starts at the cursor (absent_after_*), for a stream the page's keyset does not
    reach (absent_open)."""
    parts: list[Part] = []
    for arm, stream in enumerate(streams):
        if arm:
            parts.append(("stream_union", {}))
        parts.append(stream)
        if after is not None:
            parts.append((f"absent_{after[0]}", after[1]))
        parts.append((f"stream_{direction}", {}))
    return parts


def _like_pattern(value: str) -> str:
    """value with LIKE's wildcards (and the escape character) matched literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class _TextRange:
    """A "contains" or "starts_with" condition that can drive a page: its field's values
    streamed in order (stream_text_<op>), and, when `indexed`, its matches found by the
    trigram or prefix index (range_text_<op>)."""

    op: str
    values: dict[str, Any]  # field_id, list_id, pattern
    indexed: bool

    @property
    def read(self) -> Part:
        """Its matches, read by the trigram or prefix index (when `indexed`)."""
        return (f"range_text_{self.op}", self.values)


def _text_range(condition: Condition, field: CustomField, part: Part) -> _TextRange | None:
    """The condition as a text range, on a type the text indexes cover; a "contains" whose
    value holds no trigram is streamed only."""
    if condition.op not in TEXT_RANGES or not field_types.spec(field.field_type).substring_indexes:
        return None
    value: str = part[1]["value"]  # checked by _condition_values: a non-empty string
    if condition.op == "starts_with":
        pattern = _like_pattern(value) + "%"
    else:
        pattern = "%" + _like_pattern(value) + "%"
    values = {**_key(field), "pattern": pattern}
    indexed = condition.op == "starts_with" or bool(_TRIGRAM.search(value))
    return _TextRange(condition.op, values, indexed)


def _text_density(
    list_id: UUID, text_range: _TextRange, after: Part | None, direction: str
) -> Statement:
    """The density sample of a text range: how many of its field's first values (in the
    page's order, from the cursor) match."""
    field_id = text_range.values["field_id"]
    density = Statement(name="density")
    density.add("density_text_open", field_id=field_id)
    density.add(f"matched_text_{text_range.op}", pattern=text_range.values["pattern"])
    density.add("density_text_from", field_id=field_id, list_id=list_id)
    _close_page(density, after, f"order_{direction}", STREAM_PROBE_DEPTH)
    density.add("density_text_close")
    return density


def text_ranges_of(
    filters: list[Condition], conditions: list[Part], fields: Mapping[UUID, CustomField]
) -> list[tuple[int, _TextRange]]:
    """The conditions that are text ranges (_text_range), with their place among them."""
    return [
        (number, text_range)
        for number, (condition, part) in enumerate(zip(filters, conditions, strict=True))
        if (text_range := _text_range(condition, fields[condition.field_id], part))
    ]


async def sparse_text_range(
    conn: asyncpg.Connection,
    list_id: UUID,
    text_ranges: list[tuple[int, _TextRange]],
    after: Part | None,
    direction: str,
    wanted: int,
) -> tuple[int, Part, int] | None:
    """Beside an equality, the text range to read by its index instead of streaming the
    equality: the driving one (_driving_text_range), where its index reads it and its density
    sample shows it sparse (against the equality's stream), as (its place, its range_text_<op>
    fragment, up to how many matches a page reads); else None."""
    if not text_ranges:
        return None
    number, text_range = _driving_text_range(text_ranges)
    if not text_range.indexed:
        return None
    # Against the equality's stream, which probes the text per video (~4-5 us, a walk's
    # probe): a prefix's match read from its index costs what a range's does, a substring's,
    # rechecked in the heap, what a probe does. Streaming "done" of 1M for the 24 videos
    # containing "quebec romeo" took 728 ms; their 278 matches read first, 15.
    factor = RANGE_READ_FACTOR if text_range.op == "starts_with" else STREAM_FACTOR
    density = _text_density(list_id, text_range, after, direction)
    cap = await _sparse_read_cap(conn, density, wanted, factor)
    if cap is None:
        return None
    return number, text_range.read, cap


async def text_read(
    conn: asyncpg.Connection,
    list_id: UUID,
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
) -> tuple[int, Part] | None:
    """For reading every match (the facets): the text range whose index reads them, as (its
    place, its range_text_<op> fragment), where no equality can drive, or one can and the
    text range is sparse as for a first page (sparse_text_range); else None."""
    text_ranges = text_ranges_of(filters, conditions, fields)
    if not text_ranges:
        return None
    if _candidates(filters, conditions, fields):
        sparse = await sparse_text_range(conn, list_id, text_ranges, None, "asc", FIRST_PAGE)
        return None if sparse is None else (sparse[0], sparse[1])
    number, text_range = _driving_text_range(text_ranges)
    if not text_range.indexed:
        return None
    return number, text_range.read


def _driving_text_range(text_ranges: list[tuple[int, _TextRange]]) -> tuple[int, _TextRange]:
    """Of the text ranges (by their place among the conditions), the one to drive by: one an
    index reads before one only streamed, and a prefix, checked by a byte comparison, before
    a substring."""
    return min(text_ranges, key=lambda r: (not r[1].indexed, r[1].op != "starts_with"))


async def _rarest_text_range(
    conn: asyncpg.Connection, text_ranges: list[tuple[int, _TextRange]]
) -> tuple[int, _TextRange]:
    """Of the text ranges, the one whose index reads the fewest matches: each counted up to
    the fewest before it (a prefix first, the cheaper count, from SORT_CAP); one alone, or
    one its index does not read, is not counted (_driving_text_range). The prefix read first
    by default cost a page 1.46 s at 1M where the phrase beside it held 278 matches (Notes
    starting with "alpha", 6,784, and containing "quebec romeo", sorted by Topics)."""
    indexed = sorted(
        (r for r in text_ranges if r[1].indexed), key=lambda r: r[1].op != "starts_with"
    )
    if len(indexed) < 2:
        return _driving_text_range(text_ranges)
    rarest, fewest = indexed[0], await _counted_matches(conn, (indexed[0][1].read, SORT_CAP))
    for text_range in indexed[1:]:
        matches = await _counted_matches(conn, (text_range[1].read, fewest))
        if matches < fewest:
            rarest, fewest = text_range, matches
    return rarest


async def _text_range_or_stream(
    conn: asyncpg.Connection,
    list_id: UUID,
    text_range: _TextRange,
    others: list[Part],
    after: Part | None,
    direction: str,
    wanted: int,
) -> tuple[Statement, Statement | None, int]:
    """A page of the newest (or oldest) videos under a text range and the other conditions:
    (the field's stream, None, 0) where its first values show the matches dense, else (up to
    cap matches read by the index and sorted, the stream that answers past the cap, cap)."""
    head = [
        ("driven_open", {}),
        *_ranges([(f"stream_text_{text_range.op}", text_range.values)], direction),
        ("driven_close", {"list_id": list_id}),
    ]
    stream = _page(head, others, after, f"order_{direction}", wanted)
    if not text_range.indexed:
        return stream, None, 0
    density = _text_density(list_id, text_range, after, direction)
    return await _stream_or_read(
        conn, density, stream, text_range.read, list_id, others, after, direction, wanted
    )


async def _sparse_read_cap(
    conn: asyncpg.Connection, density: Statement, wanted: int, walk_factor: float
) -> int | None:
    """From the density sample of a field's first values: up to how many matches to read by
    an index and sort, where the sample shows them sparse (against a walk costing
    `walk_factor` matches read per value); None where they are dense, or fewer values than
    the sample's depth are left to stream (a stream reads no more)."""
    sample = (await _fetch(conn, density))[0]
    if sample["walked"] < STREAM_PROBE_DEPTH:
        return None
    return _sparse_cap(
        sample["walked"], sample["hits"], sample["field_values"], walk_factor, wanted
    )


async def _stream_or_read(
    conn: asyncpg.Connection,
    density: Statement,
    stream: Statement,
    read: Part,
    list_id: UUID,
    others: list[Part],
    after: Part | None,
    direction: str,
    wanted: int,
) -> tuple[Statement, Statement | None, int]:
    """(the stream, None, 0) where the density sample of its field's first values shows the
    matches dense, else (up to cap matches `read` by an index and sorted, the stream that
    answers past the cap, cap)."""
    cap = await _sparse_read_cap(conn, density, wanted, STREAM_FACTOR)
    if cap is None:
        return stream, None, 0
    return _capped((read, cap), list_id, others, after, direction, wanted), stream, cap


async def _range_or_stream(
    conn: asyncpg.Connection,
    list_id: UUID,
    conditions: list[Part],
    driver: int,
    field_type: field_types.FieldType,
    after: Part | None,
    direction: str,
    wanted: int,
) -> tuple[Statement, Statement | None, int]:
    """A page of the newest (or oldest) videos under conditions[driver], a range (or
    is_not_empty) on a number or date field or an options condition on a multi_select field
    (STREAMED_FIELDS), as _text_range_or_stream: its field's values streamed in order, each
    checked, or its matches read from the value (or GIN) index and sorted."""
    fragment, values = conditions[driver]
    others = conditions[:driver] + conditions[driver + 1 :]
    stream_open, density_from = STREAMED_FIELDS[field_type]
    key = {"field_id": values["field_id"], "list_id": values["list_id"]}
    checked = {name: value for name, value in values.items() if name not in key}
    checks = [] if fragment == "is_not_empty" else [(f"checked_{fragment}", checked)]
    order = f"order_{direction}"
    head = [
        ("driven_open", {}),
        (stream_open, key),
        *checks,
        (f"stream_{direction}", {}),
        ("driven_close", {"list_id": list_id}),
    ]
    stream = _page(head, others, after, order, wanted)
    # Every value streamed matches; or no index finds the matches (STREAM_ONLY).
    if not checks or fragment in STREAM_ONLY or density_from is None:
        return stream, None, 0
    density = Statement(name="density")
    density.add("density_range_open", field_id=key["field_id"])
    for check, check_values in checks:
        density.add(check, **check_values)
    density.add(density_from, **key)
    _close_page(density, after, order, STREAM_PROBE_DEPTH)
    density.add("density_range_close")
    read = (f"range_{fragment}", values)
    return await _stream_or_read(
        conn, density, stream, read, list_id, others, after, direction, wanted
    )


async def _absent_head(
    conn: asyncpg.Connection,
    list_id: UUID,
    filters: list[Condition],
    fields: Mapping[UUID, CustomField],
    fill: Mapping[UUID, tuple[int, int]],
    after: Part | None,
    direction: str,
) -> tuple[list[Part], int] | None:
    """For the first is_empty condition that holds for few of the list's videos (under
    ABSENT_DENSITY, by the kept counts): the page's head, driven by the list's videos less the
    field's values (absent_open), each stream of them starting at the cursor, and the
    condition's index. Its values stream from the field's creation-ordered index
    (STREAMED_FIELDS), as the values held (a rating's or a select's, at most MAX_STREAMS), or
    as true and false. None: no such condition, and the page walks."""
    for number, condition in enumerate(filters):
        if condition.op != "is_empty":
            continue
        filled, videos = fill[condition.field_id]
        if (videos - filled) >= ABSENT_DENSITY * videos:
            continue
        field = fields[condition.field_id]
        # The field's values are its presence: is_not_empty's streams (true and false; the
        # values held), or its creation-ordered index unchecked.
        present = Condition(field_id=field.id, op="is_not_empty")
        part: Part = ("is_not_empty", {})
        if field.field_type in STREAMED_FIELDS:
            streams: list[Part] | None = [(STREAMED_FIELDS[field.field_type][0], _key(field))]
        else:
            held = None
            if field.field_type in HELD_OPEN:
                held = (await _held_values(conn, [present], [part], fields, False)).get(0)
                if held is None:
                    continue  # more values than MAX_STREAMS: the walk
            streams = _stream(present, field, part, held)
        if not streams:  # no value held any more (a write since the counts were read)
            continue
        head: list[Part] = [
            ("driven_open", {}),
            ("absent_open", {"list_id": list_id}),
            *_ranges(streams, direction, after),
            (f"absent_{direction}", {}),
            ("driven_close", {"list_id": list_id}),
        ]
        return head, number
    return None


def _sparse_cap(walked: int, hits: int, size: int, walk_factor: float, wanted: int) -> int | None:
    """From a sample (`hits` matches among the first `walked` rows a walk or stream reads, out
    of `size`): None where the matches are dense enough to walk, else the most matches to read
    and sort before walking after all, twice the crossover density's share (the sample is
    small)."""
    size = max(size, 1)
    if walked and hits >= _crossover(wanted, walk_factor, size) * walked:
        return None
    return _read_cap(size, walk_factor, wanted)


def _read_cap(size: int, walk_factor: float, wanted: int) -> int:
    """The most matches a capped read sorts: twice the crossover density's share of `size`."""
    return math.ceil(2 * _crossover(wanted, walk_factor, size) * size)


def _crossover(wanted: int, walk_factor: float, videos: int) -> float:
    """The density of matches at which walking the list for `wanted` rows (wanted / density
    videos, each costing `walk_factor` matches read) costs what reading and sorting every match
    (density x videos) does."""
    return math.sqrt(wanted * walk_factor / videos)


def most_sorted(videos: int, wanted: int) -> int:
    """The most matches a page's statement may read and sort in a list of `videos`: the
    largest of its caps (a sort by a field's, or twice the crossover's share of a range or a
    text range, whose field holds at most one value per video). More means a plan that sorts
    every match instead of reading an index in order (make bench checks it)."""
    widest = max(RANGE_READ_FACTOR, STREAM_FACTOR)
    return max(SORT_CAP, _read_cap(max(videos, 1), widest, wanted))


async def _range_or_walk(
    conn: asyncpg.Connection,
    list_id: UUID,
    conditions: list[Part],
    driver: int,
    after: Part | None,
    direction: str,
    wanted: int,
) -> tuple[Statement, Statement | None, int]:
    """A page of the newest (or oldest) videos under conditions[driver], a range of a value
    index: (the walk, None, 0) where the first videos walked show the conditions dense, else
    (up to cap matches of the range sorted, the walk that answers past the cap, cap)."""
    head: Part = ("head_created_at", {"list_id": list_id})
    order = f"order_{direction}"
    walk = _page(head, conditions, after, order, wanted, walked=True)
    density = Statement(name="density")
    density.add("density_open", list_id=list_id)
    _add_conditions(density, conditions, walked=True)
    density.add("density_from")
    _page(head, [], after, order, RANGE_PROBE_DEPTH, density)
    density.add("density_close")
    sample = (await _fetch(conn, density))[0]
    cap = _sparse_cap(sample["walked"], sample["hits"], sample["videos"], RANGE_READ_FACTOR, wanted)
    if cap is None:
        return walk, None, 0
    fragment, values = conditions[driver]
    others = conditions[:driver] + conditions[driver + 1 :]
    range_ = ((f"range_{fragment}", values), cap)
    return _capped(range_, list_id, others, after, direction, wanted), walk, cap


async def _counted_matches(conn: asyncpg.Connection, range_: tuple[Part, int]) -> int:
    """How many matches the range's index holds, counted up to its cap (an index-only read of
    at most cap entries, and a statement small enough to plan in a few microseconds)."""
    (fragment, values), cap = range_
    statement = Statement(name="range_count")
    statement.add("count_range_open")
    statement.add(fragment, **values)
    statement.add("count_range_close", cap=cap)
    return int((await _fetch(conn, statement))[0]["matched"])


def _capped(
    range_: tuple[Part, int],
    list_id: UUID,
    conditions: list[Part],
    after: Part | None,
    direction: str,
    limit: int,
) -> Statement:
    """The page driven by up to cap matches of a range, sorted; its rows carry `matched`."""
    (fragment, values), cap = range_
    statement = Statement()
    statement.add("capped_open")
    statement.add(fragment, **values)
    statement.add("capped_close", cap=cap)
    head: list[Part] = [
        ("driven_open", {}),
        ("capped_stream", {}),
        (f"stream_{direction}", {}),
        ("driven_close", {"list_id": list_id}),
    ]
    _page(head, conditions, after, f"order_{direction}", limit, statement)
    statement.add("capped_page_close")
    statement.add(f"order_{direction}")
    return statement


def _streams_read(streams: list[Part]) -> list[Part]:
    """An equality's stream as the matches a capped page reads (_capped_by_field)."""
    return [*_ranges(streams, "asc"), ("capped_streams_close", {})]


def _capped_by_field(
    read: list[Part],
    head: Part,
    match: str,
    conditions: list[Part],
    after: Part | None,
    order: str,
    limit: int,
    few_of: UUID | None = None,
    few_factor: float = SORT_FEW_FACTOR,
    few_only: bool = False,
    probed: list[Part] | None = None,
) -> Statement:
    """A page sorted by a field or the title (or the field's videos without a value: head
    unvalued_field), from up to SORT_CAP matches `read`: an equality's stream (_streams_read)
    or a range's index (range_*); its rows carry `matched`, and with `few_of` (the list's id)
    `few`: how many matches it sorts itself (capped_few), read only one past them when
    `few_only`. With `probed`, `match` opens the matches those conditions are probed on, one
    by one, before the page reads anything else of them (capped_valued_probed_open)."""
    statement = Statement()
    statement.add("capped_open")
    for fragment, values in read:
        statement.add(fragment, **values)
    if few_of is None:
        statement.add("capped_close", cap=SORT_CAP)
    elif few_only:
        statement.add("capped_close_few_only", few_factor=few_factor, list_id=few_of)
    else:
        statement.add("capped_close_few", cap=SORT_CAP, few_factor=few_factor, list_id=few_of)
    if probed:
        statement.add("page_open")
        statement.add(head[0], **head[1])
        statement.add(match, prefix="AND ")
        _add_conditions(statement, probed, walked=True)
        statement.add("capped_probed_close")
        _add_conditions(statement, conditions, walked=False)
        _close_page(statement, after, order, limit)
    else:
        _page(head, [(match, {}), *conditions], after, order, limit, statement)
    statement.add("capped_page_close")
    statement.add(order)
    return statement


def _sorted_few(
    read: list[Part],
    head: Part,
    others: list[Part],
    after: Part | None,
    order: str,
    limit: int,
    list_id: UUID,
    *,
    few_only: bool = False,
    few_factor: float = SORT_FEW_FACTOR,
) -> Statement:
    """A page sorted by a field from the capped matches `read`, when they are few (capped_few:
    sqrt(few_factor x videos)), each probed for the other conditions before its sort value is
    read; read only one past the few when `few_only`."""
    return _capped_by_field(
        read,
        head,
        "capped_valued_probed_open" if others else "capped_valued_match",
        [("capped_few", {})],
        after,
        order,
        limit,
        list_id,
        few_factor=few_factor,
        few_only=few_only,
        probed=others,
    )


def _sorted_or_hashed(
    read: list[Part],
    head: Part,
    others: list[Part],
    after: Part | None,
    order: str,
    limit: int,
    list_id: UUID,
) -> "tuple[Statement, Statement | Capped]":
    """A page sorted by a field from the capped matches `read`: (the statement sorting them
    when they are few (capped_few), the hashed walk of the field's order that answers past
    the few; with other conditions, past OTHERS_FEW_FACTOR times the few). With other
    conditions, the hashed walk stops at a full page, so it reads the field's whole index when
    few or no matches hold them (at 100k, Status = rewatch and Language = lang03 sorted by
    Rating: 27-35 ms for no row); sorting every match under the cap instead cost 220 ms for
    Status = done and Watched = true (7,534 matches)."""
    first = _sorted_few(read, head, others, after, order, limit, list_id)
    hashed = _capped_by_field(read, head, "capped_valued_hashed_match", others, after, order, limit)
    if not others:
        return first, hashed
    # Past the few, up to OTHERS_FEW_FACTOR times as many are still sorted rather than hashed,
    # read only one past them (when many more, the hashed walk's read is the one that counts).
    more = _sorted_few(
        read,
        head,
        others,
        after,
        order,
        limit,
        list_id,
        few_only=True,
        few_factor=SORT_FEW_FACTOR * OTHERS_FEW_FACTOR**2,
    )
    return first, Capped(more, hashed, hashed)


@dataclass(frozen=True, slots=True)
class CountedRange:
    """A range of a number or date beside an equality (counted_range): its place among the
    conditions, its read as a capped range, and whether it holds fewer matches than the cap."""

    number: int
    capped: tuple[Part, int]  # (range_<fragment>, its values), RANGE_FIRST_CAP
    few: bool


async def counted_range(
    conn: asyncpg.Connection,
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
) -> CountedRange | None:
    """Beside an equality that could drive, the first range of a number or date field (not
    itself an equality: a between of one value), its matches counted up to RANGE_FIRST_CAP;
    None when there is no such range, or the cap is 0."""
    candidates = {number for number, _ in _candidates(filters, conditions, fields)}
    if RANGE_FIRST_CAP <= 0 or not candidates:
        return None
    number = next(
        (
            number
            for number, (condition, (fragment, _)) in enumerate(
                zip(filters, conditions, strict=True)
            )
            if fragment in VALUE_RANGES
            and number not in candidates
            and fields[condition.field_id].field_type in RANGE_FIRST_TYPES
        ),
        None,
    )
    if number is None:
        return None
    fragment, values = conditions[number]
    capped = ((f"range_{fragment}", values), RANGE_FIRST_CAP)
    return CountedRange(number, capped, await _counted_matches(conn, capped) < RANGE_FIRST_CAP)


async def sort_read(
    conn: asyncpg.Connection,
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
    sort_field_id: UUID | None,
) -> tuple[int, Part] | None:
    """For a page sorted by a field or the title with no equality to drive it: a condition an
    index reads (a text range, a number's, rating's or date's range, a multi_select's has_any
    or has_all; not on the sort field, whose own walk it bounds), as (its place, its range_*
    fragment); None when there is none. Its matches, up to SORT_CAP, are read and sorted:
    walking the sort order for a rare one read the whole list (at 100k, Notes containing
    "quebec romeo" sorted by Rating: 1.3 s, 705,050 buffers)."""
    text_ranges = [
        (number, text_range)
        for number, text_range in text_ranges_of(filters, conditions, fields)
        if text_range.indexed and filters[number].field_id != sort_field_id
    ]
    if text_ranges:
        number, text_range = await _rarest_text_range(conn, text_ranges)
        return number, text_range.read
    return next(
        (
            (number, (f"range_{fragment}", values))
            for number, (condition, (fragment, values)) in enumerate(
                zip(filters, conditions, strict=True)
            )
            if condition.field_id != sort_field_id
            and (fragment in VALUE_RANGES or fragment in ("options_has_any", "options_has_all"))
        ),
        None,
    )


def value_range_read(conditions: list[Part]) -> tuple[int, Part] | None:
    """For reading every match (the facets) where no equality drives: the first range of a
    rating, number or date, as (its place, its range_<fragment>, which reads its value index
    alone); None when there is none. Else the list's every video was read and hashed against
    the range (at 1M, Rating >= 4: 440 ms for 399,888 matches, its index alone 60)."""
    return next(
        (
            (number, (f"range_{fragment}", values))
            for number, (fragment, values) in enumerate(conditions)
            if fragment in VALUE_RANGES
        ),
        None,
    )


def presence_read(
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
    fill: Mapping[UUID, tuple[int, int]],
) -> tuple[int, Part] | None:
    """For reading every match (the facets) where nothing else reads them from an index: the
    is_not_empty of the field fewest videos hold (settle_presence's counts), as (its place,
    its range_present_<column> fragment, which reads the field's every value from its value
    index); None when there is none. Else the list's every video was read and hashed against
    the fields' values (at 100k, three fields' presence matching 98 videos: 68 ms)."""
    present = [
        (fill[condition.field_id][0], number)
        for number, condition in enumerate(filters)
        if condition.op == "is_not_empty" and condition.field_id in fill
    ]
    if not present:
        return None
    number = min(present)[1]
    column = field_types.spec(fields[filters[number].field_id].field_type).column
    return number, (f"range_present_{column.removeprefix('value_')}", conditions[number][1])


# The ends a condition sets on an ordered value (a rating, number or date): op -> (which end,
# whether the value itself is included).
_LOWER_ENDS = {"gt": False, "gte": True, "after": False, "on_or_after": True}
_UPPER_ENDS = {"lt": False, "lte": True, "before": False, "on_or_before": True}
_ORDERED = (field_types.FieldType.RATING, field_types.FieldType.NUMBER, field_types.FieldType.DATE)
_End = tuple[Any, bool] | None  # (a value, included), or None: open


def _config_ends(field: CustomField) -> tuple[_End, _End]:
    """The ends every value of an ordered field lies within, by its config (the database
    refuses a value outside them, and a config narrowed past a value held)."""
    config = field.config
    if field.field_type == field_types.FieldType.RATING:
        return (Decimal(0), True), (Decimal(config["max_rating"]), True)
    read: Callable[[Any], Any] = (
        date.fromisoformat if field.field_type == field_types.FieldType.DATE else number_of
    )
    low, high = (
        None if end is None else read(end) for end in (config.get("min"), config.get("max"))
    )
    return (None if low is None else (low, True)), (None if high is None else (high, True))


def _within(value: Any, low: _End, high: _End) -> bool:
    if low is not None and (value < low[0] or (value == low[0] and not low[1])):
        return False
    return high is None or not (value > high[0] or (value == high[0] and not high[1]))


def _ends_meet(low: _End, high: _End, field: CustomField) -> bool:
    """Whether some value lies between the two ends (a date is a whole day: after the 3rd and
    before the 4th holds none)."""
    if low is None or high is None:
        return True
    if field.field_type == field_types.FieldType.DATE:
        first = low[0] if low[1] else low[0] + timedelta(days=1) if low[0] < date.max else None
        last = high[0] if high[1] else high[0] - timedelta(days=1) if high[0] > date.min else None
        return first is not None and last is not None and first <= last
    return bool(low[0] < high[0] or (low[0] == high[0] and low[1] and high[1]))


def _ends(field: CustomField, conditions: list[tuple[str, dict[str, Any]]]) -> tuple[_End, _End]:
    """The narrowest ends of an ordered field's conditions and its config."""
    low, high = _config_ends(field)

    def raised(end: _End, value: Any, included: bool, higher: bool) -> _End:
        if end is None or (value > end[0] if higher else value < end[0]):
            return value, included
        if value == end[0]:
            return value, end[1] and included
        return end

    for op, values in conditions:
        if op in _LOWER_ENDS:
            low = raised(low, values["value"], _LOWER_ENDS[op], higher=True)
        elif op in _UPPER_ENDS:
            high = raised(high, values["value"], _UPPER_ENDS[op], higher=False)
        elif op == "between":
            low = raised(low, values["low"], True, higher=True)
            high = raised(high, values["high"], True, higher=False)
    return low, high


def contradicts(
    filters: list[Condition], parts: list[Part], fields: Mapping[UUID, CustomField]
) -> bool:
    """Whether the conditions on one field cannot all hold (eq 5 and eq 3, eq x and not in [x],
    is_empty and any value, eq 4 and lt 2, gt 5 and lt 3, a rating above its max_rating, a
    number or date outside its config's min..max): the page is empty without asking the
    database."""
    seen: dict[UUID, list[tuple[str, dict[str, Any]]]] = {}
    for condition, (_, values) in zip(filters, parts, strict=True):
        seen.setdefault(condition.field_id, []).append((condition.op, values))
    for field_id, conditions in seen.items():
        ops = {op for op, _ in conditions}
        if "is_empty" in ops and len(ops) > 1:
            return True
        field = fields[field_id]
        ordered = field.field_type in _ORDERED and not ops <= set(PRESENCE_OPS)
        low, high = _ends(field, conditions) if ordered else (None, None)
        if ordered and not _ends_meet(low, high, field):
            return True
        allowed: set[Any] | None = None
        for op, values in conditions:
            if op == "eq":
                matches = {values["value"]}
            elif op == "in":
                matches = set(values["values"])
            else:
                continue
            allowed = matches if allowed is None else allowed & matches
        if allowed is None:
            continue
        allowed = {value for value in allowed if _within(value, low, high)}
        if not allowed:
            return True
        for op, values in conditions:
            if op == "ne" and allowed <= {values["value"]}:
                return True
            if op == "not_in" and allowed <= set(values["values"]):
                return True
    return False


async def settle_presence(
    conn: asyncpg.Connection, list_id: UUID, filters: list[Condition], parts: list[Part]
) -> tuple[list[tuple[Condition, Part]], dict[UUID, tuple[int, int]]] | None:
    """The conditions left once the kept counts have settled is_empty and is_not_empty: on a
    field that every video of the list has, or none has, such a condition holds for every
    video (dropped) or for none (None: the page is empty, and no walk of the list finds
    that out). With them, the counts read: field id -> (videos with a value, videos)."""
    presence = [c.field_id for c in filters if c.op in PRESENCE_OPS]
    if not presence:
        return list(zip(filters, parts, strict=True)), {}
    fill = await custom_fields.fill(conn, list_id=list_id, field_ids=presence)
    left = []
    for condition, part in zip(filters, parts, strict=True):
        if condition.op in PRESENCE_OPS:
            if condition.field_id not in fill:
                # Deleted since the field lookup, by a transaction committed in between.
                raise NotFound("custom field", condition.field_id)
            filled, videos = fill[condition.field_id]
            holds_for = filled if condition.op == "is_not_empty" else videos - filled
            if holds_for == 0:
                return None
            if holds_for == videos:
                continue
        left.append((condition, part))
    return left, fill


async def _kept_matches(
    conn: asyncpg.Connection,
    list_id: UUID,
    filters: list[Condition],
    fields: Mapping[UUID, CustomField],
    candidates: list[tuple[int, list[Part]]],
) -> dict[int, int] | None:
    """How many videos each candidate equality matches, by the kept counts (kept_matches), when
    there are several and every one is on a field counted by value (KEPT_BY_VALUE); else None
    (no statement runs)."""
    types = [fields[filters[number].field_id].field_type for number, _ in candidates]
    if len(candidates) < 2 or any(t not in KEPT_BY_VALUE for t in types):
        return None
    asked: dict[str, list[Any]] = {
        "conditions": [],
        "field_ids": [],
        "texts": [],
        "numbers": [],
        "booleans": [],
    }
    for (number, streams), field_type in zip(candidates, types, strict=True):
        for _, values in streams:
            asked["conditions"].append(number)
            asked["field_ids"].append(values["field_id"])
            for column in ("texts", "numbers", "booleans"):
                asked[column].append(
                    values["value"] if column == KEPT_BY_VALUE[field_type] else None
                )
    statement = Statement(name="kept_matches")
    statement.add(
        "kept_matches",
        list_id=list_id,
        conditions=asked["conditions"],
        field_ids=asked["field_ids"],
        texts=asked["texts"],
        numbers=asked["numbers"],
        booleans=asked["booleans"],
    )
    return {row["condition"]: row["videos"] for row in await _fetch(conn, statement)}


def _fewest(kept: Mapping[int, int]) -> tuple[int, int | None]:
    """The condition with the fewest matches (the first among equals), and the next fewest
    when its matches are few enough to join with the first's (INTERSECT_FACTOR, SORT_CAP)."""
    driver, also = sorted(kept, key=lambda number: (kept[number], number))[:2]
    if kept[driver] < SORT_CAP and kept[also] <= INTERSECT_FACTOR * max(kept[driver], 1):
        return driver, also
    return driver, None


async def _driver(
    conn: asyncpg.Connection, candidates: list[tuple[int, list[Part]]], direction: str
) -> int:
    """The index of the condition to drive by: the only candidate, or the sparsest among the
    videos the page reads: fewer than PROBE_DEPTH matches (the fewest first), else the one
    whose PROBE_DEPTH-th match lies furthest back (newest first) or on (oldest first). All
    candidates are measured in one statement."""
    if len(candidates) == 1:
        return candidates[0][0]
    statement = Statement()
    statement.add("probe_open")
    for number, (_, streams) in enumerate(candidates):
        if number:
            statement.add("probe_union")
        statement.add("probe_candidate_open", candidate=number)
        for fragment, values in _ranges(streams, direction):
            statement.add(fragment, **values)
        statement.add(f"probe_candidate_{direction}", depth=PROBE_DEPTH)
    statement.add("probe_close")

    def sparseness(row: asyncpg.Record) -> tuple[int, float]:
        if row["matches"] < PROBE_DEPTH:
            return (0, row["matches"])
        if direction == "desc":  # the sparsest reaches furthest into the past
            return (1, row["oldest"].timestamp())
        return (1, -row["newest"].timestamp())

    sparsest = min(await _fetch(conn, statement), key=sparseness)
    return candidates[int(sparsest["candidate"])][0]


async def driving_ranges(
    conn: asyncpg.Connection,
    filters: list[Condition],
    conditions: list[Part],
    fields: Mapping[UUID, CustomField],
) -> tuple[int, list[Part]] | None:
    """For reading every match (the facets): the equality whose index ranges to read, as
    (its index in conditions, its ranges oldest first); the sparsest when there are several
    (_driver); None when no condition is an equality."""
    candidates = _candidates(filters, conditions, fields)
    if not candidates:
        return None
    driver = await _driver(conn, candidates, "asc")
    return driver, _ranges(dict(candidates)[driver], "asc")


@dataclass(frozen=True, slots=True)
class Capped:
    """A capped statement, and what answers instead past its cap (see _instead)."""

    statement: Statement
    walk: "Statement | Capped"
    hashed: "Statement | Capped | None" = None


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to fetch one page: `first` (when not None), then `rest` for what is left of it.
    Sorting by a field reads the videos that have a value first, in the order of the field's
    value index, and those without one (rest) only when the page is not full yet."""

    sort_key: str
    first: Statement | None
    rest: Callable[[int], Statement] | None
    # When `first` (and `rest`) sort the capped matches of a range or an equality: if one
    # counted `cap` of them (there may be more), `walk` (and `walk_rest`) answer instead.
    walk: Statement | Capped | None = None
    cap: int = 0
    walk_rest: Callable[[int], Statement | Capped] | None = None
    # A sort by a field whose `first` answers only up to its rows' `few` matches: with more
    # (under the cap), `hashed` answers.
    hashed: Statement | Capped | None = None
    # The page, already read by the statement that answered it (_first_value_page).
    answered: tuple[Statement, list[dict[str, Any]]] | None = None


async def _first_value_page(
    conn: asyncpg.Connection,
    sort_field: CustomField,
    head: Part,
    direction: str,
    streams: list[Part],
    others: list[Part],
    cursor: tuple[Any, datetime | None, UUID | None] | None,
    wanted: int,
) -> tuple[Statement, list[dict[str, Any]]] | None:
    """A page sorted by `sort_field` under an equality (`streams`, the other conditions
    `others`), when the matches holding its first value fill it: that value is the field's
    first in the sort's order (`head`'s first row), or the cursor's (value, created_at, id).
    Those matches are read in creation order, the order among equal values, from at most
    SORT_VALUE_FIRST_FACTOR x wanted entries of the stream, each probed for the other
    conditions and the value (walked): left to the planner, a "contains" became a hash join
    over its field's every value (at 100k, Watched = true and Notes containing "quebec romeo"
    sorted by Rating: 13 ms for no row, 21 -> 10 ms for the search). The statement and its
    rows, as the page's rows (sort_value the value, sort_tie created_at); None when they do
    not fill it."""
    most = int(SORT_VALUE_FIRST_FACTOR * wanted)
    spec = field_types.spec(sort_field.field_type)
    if most < wanted or spec.stream is None:
        return None
    if cursor is None:
        first = await _fetch(conn, _page(head, [], None, f"order_field_{direction}", 1))
        if not first:
            return None
        value, after = first[0]["sort_value"], None
    else:
        value, tie, after_id = cursor
        after = (f"after_{direction}", {"after_value": tie, "after_id": after_id})
    statement = _page(
        [
            ("driven_open", {}),
            ("driven_most_open", {}),
            *_ranges(streams, direction, after),
            (f"driven_most_{direction}", {"most": most}),
            ("driven_close", {"list_id": sort_field.list_id}),
        ],
        [*others, (spec.operators["eq"], {**_key(sort_field), "value": value})],
        None,
        f"order_{direction}",
        wanted,
        walked=True,
    )
    rows = await _fetch(conn, statement)
    if len(rows) < wanted:
        return None
    return statement, [{**row, "sort_value": value, "sort_tie": row["sort_value"]} for row in rows]


def planned_generically(query: VideoSearch) -> tuple[str, ...]:
    """The field types on which the search's statements are planned once for any values
    (app/db/plans.py); none: planned for its values. Newest (or oldest) first with one
    equality or "in", on any type: its index range is read in that order and each match
    joined by key, whatever the value and the list's size (rating_eq 0.74 -> 0.36 ms at 1M;
    92 equalities of every type, common and rare, never slower; on plan at 100k). Or with one
    condition that streams its field (STREAMED_ALONE: a range, "ne" or is_not_empty on a number
    or date, an options condition, a text's "ne" or presence): its stream, its density sample
    and its capped read are one shape each, whatever the values (as the app role at 1M, bare:
    number_gte 0.69 -> 0.42 ms, date_after 0.62 -> 0.32, number_between_rare 0.92 -> 0.37;
    number_ne 0.73 -> 0.43, text_is_not_empty 0.63 -> 0.41, options_has_all 0.68 -> 0.39, its
    GIN read options_has_any_rare 0.89 -> 0.62). Or with one
    "contains" on a text or url field, alike (text_contains 1.16 -> 0.72 ms, its trigram read
    text_contains_rare 7.9 -> 7.2); not "starts_with", whose prefix index needs the pattern
    itself to bound its range (a generic plan would read the field's whole range). A
    condition of HELD_OPS alone (a rating's range, a select's "ne") switches in its read of
    the values it holds, once it drives as them (_held_values). Any other search depends on
    its values: a generic plan of rare x rare took 3 s at 1M (2.6 ms planned for
    its values), of a walk for `rating >= 4` 190 ms at 100k."""
    if query.sort.by != "created_at" or len(query.filters) != 1:
        return ()
    if query.filters[0].op in ("eq", "in"):
        return tuple(field_types.FieldType)
    if query.filters[0].op in STREAMED_ALONE:
        return STREAMED_ALONE[query.filters[0].op]
    if query.filters[0].op == "contains":
        return (field_types.FieldType.TEXT, field_types.FieldType.URL)
    return ()


async def _plan(conn: asyncpg.Connection, list_id: UUID, query: VideoSearch) -> _Plan:
    field_ids = [c.field_id for c in query.filters]
    sort_field_id = None
    if not query.sort.by_column:
        try:
            sort_field_id = UUID(query.sort.by)
        except ValueError:
            raise InvalidValue.one(
                "search_sort", 'sort.by must be "created_at", "title" or a custom field id'
            ) from None
        field_ids.append(sort_field_id)
    # A search planned generically switches in its lookup, so the switch costs no round trip.
    fields = await custom_fields.get_many(
        conn, list_id=list_id, field_ids=field_ids, generic_for=planned_generically(query)
    )
    conditions = conditions_of(query.filters, fields)
    wanted = query.limit + 1  # one more than a page tells whether another page follows

    if contradicts(query.filters, conditions, fields):
        return _Plan("", None, None)
    settled = await settle_presence(conn, list_id, query.filters, conditions)
    if settled is None:
        return _Plan("", None, None)
    filters = [condition for condition, _ in settled[0]]
    conditions = [part for _, part in settled[0]]
    fill = settled[1]
    if sort_field_id is None:
        direction = query.sort.direction or ("desc" if query.sort.by == "created_at" else "asc")
        sort_key = f"{query.sort.by}:{direction}"
        after = None
        if query.cursor is not None:
            value_type = datetime if query.sort.by == "created_at" else str
            cursor_value, cursor_id = paging.decode(query.cursor, sort_key, value_type, list_id)
            after = (f"after_{direction}", {"after_value": cursor_value, "after_id": cursor_id})
        head: Part | list[Part] = (f"head_{query.sort.by}", {"list_id": list_id})
        if query.sort.by == "created_at":
            candidates = _candidates(filters, conditions, fields)
            text_ranges = text_ranges_of(filters, conditions, fields)
            if not candidates and not text_ranges:
                # No equality to drive by: a rating's range, a select's "ne" ... drive as the
                # values their videos hold.
                held = await _held_values(conn, filters, conditions, fields)
                if any(not values for values in held.values()):
                    return _Plan("", None, None)  # no video holds a value that matches
                candidates = _candidates(filters, conditions, fields, held)
            if candidates:
                driver = await _driver(conn, candidates, direction)
                streams = dict(candidates)[driver]
                head = [
                    ("driven_open", {}),
                    *_ranges(streams, direction),
                    ("driven_close", {"list_id": list_id}),
                ]
                others = conditions[:driver] + conditions[driver + 1 :]
                order = f"order_{direction}"
                counted = await counted_range(conn, filters, conditions, fields)
                # Where the equality drives, a range (at the cap: common) and a prefix are
                # probed per video streamed. Left to the planner, its estimates (839 of 14,932
                # matches of Minutes >= 300 at 100k; 318 of 21,969 Links starting with a
                # prefix at 1M) made it hash the range's every match, or the field's every
                # value, against the equality's stream (10.7 ms against 2-3; 92 against 18).
                # A substring is left to it: probed per video, a common one took twice as long.
                probed = [number for number, text in text_ranges if text.op == "starts_with"]
                if counted is not None:
                    probed.append(counted.number)
                per_video = [number - (driver < number) for number in probed]  # driver out
                driven = _page(head, others, after, order, wanted, per_video=per_video)
                if counted is not None and counted.few:
                    # Its few matches are the page's stream (should writes bring them to the
                    # cap meanwhile, its count says so, and the equality drives after all).
                    number = counted.number
                    others = conditions[:number] + conditions[number + 1 :]
                    first = _capped(counted.capped, list_id, others, after, direction, wanted)
                    return _Plan(sort_key, first, None, walk=driven, cap=RANGE_FIRST_CAP)
                sparse = await sparse_text_range(
                    conn, list_id, text_ranges, after, direction, wanted
                )
                if sparse is not None:
                    number, read, cap = sparse
                    others = conditions[:number] + conditions[number + 1 :]
                    first = _capped((read, cap), list_id, others, after, direction, wanted)
                    return _Plan(sort_key, first, None, walk=driven, cap=cap)
                return _Plan(sort_key, driven, None)
            elif text_ranges:
                number, text_range = _driving_text_range(text_ranges)
                others = conditions[:number] + conditions[number + 1 :]
                first, walk, cap = await _text_range_or_stream(
                    conn, list_id, text_range, others, after, direction, wanted
                )
                return _Plan(sort_key, first, None, walk=walk, cap=cap)
            elif streamed := [
                number
                for number, (condition, (name, _)) in enumerate(
                    zip(filters, conditions, strict=True)
                )
                if fields[condition.field_id].field_type in STREAMED_FIELDS
                and (name in _STREAM_CHECKED or name == "is_not_empty")
            ]:
                # A range or an option held (which may be read when sparse) before a value or an
                # option lacked, before a presence, which every value streamed matches.
                driver = min(
                    streamed,
                    key=lambda number: (
                        conditions[number][0] == "is_not_empty",
                        conditions[number][0] in STREAM_ONLY,
                    ),
                )
                field_type = fields[filters[driver].field_id].field_type
                first, walk, cap = await _range_or_stream(
                    conn, list_id, conditions, driver, field_type, after, direction, wanted
                )
                return _Plan(sort_key, first, None, walk=walk, cap=cap)
            elif value_ranges := [
                number for number, (name, _) in enumerate(conditions) if name in VALUE_RANGES
            ]:
                first, walk, cap = await _range_or_walk(
                    conn, list_id, conditions, value_ranges[0], after, direction, wanted
                )
                return _Plan(sort_key, first, None, walk=walk, cap=cap)
            elif absent := await _absent_head(
                conn, list_id, filters, fields, fill, after, direction
            ):
                head, number = absent
                conditions = conditions[:number] + conditions[number + 1 :]
        by_read = None
        if query.sort.by == "title":
            # Beside an equality too: at 1M, Status = done and Notes containing "quebec
            # romeo" by title walked the title's order probing each video, 7.4 s for 2 rows.
            by_read = await sort_read(conn, filters, conditions, fields, None)
        # Past a range's few, the matches are dense enough to walk the title's order probing
        # each video for every condition; left to the planner, it read every match of the
        # range, probed the others and sorted (at 100k, Minutes >= 300 and Rating >= 4 by
        # title: 14,932 matches read, 74 ms). Beside an equality, the planner still chooses: a
        # rare one's matches are read and sorted, where a walk would probe it per video.
        walked = by_read is not None and not _candidates(filters, conditions, fields)
        walk = _page(head, conditions, after, f"order_{direction}", wanted, walked=walked)
        if by_read is None:
            return _Plan(sort_key, walk, None)
        # The range's matches sorted by title while they are few (capped_few), else the walk
        # of the title's order (at 100k, Notes containing "quebec romeo": 308 ms walked):
        # sorting costs a video's lookup per match, the walk a probe per video passed (wanted /
        # density of them), alike near sqrt(wanted x videos) matches.
        read_at, read_part = by_read
        others = conditions[:read_at] + conditions[read_at + 1 :]
        capped = _capped_by_field(
            [read_part],
            ("head_title", {"list_id": list_id}),
            "capped_unvalued_match",
            [("capped_few", {}), *others],
            after,
            f"order_{direction}",
            wanted,
            list_id,
            few_factor=wanted,
        )
        return _Plan(sort_key, capped, None, walk=walk, cap=SORT_CAP, hashed=walk)

    sort_field = fields[sort_field_id]
    direction = query.sort.direction or "asc"
    sort_key = f"field:{sort_field_id}:{direction}"
    sort_values = {"sort_field_id": sort_field_id, "list_id": list_id}
    after_value: Any = None
    after_tie: datetime | None = None
    after_id: UUID | None = None
    if query.cursor is not None:
        after_value, after_id = paging.decode(
            query.cursor,
            sort_key,
            (field_types.spec(sort_field.field_type).value_type, list),
            list_id,
            nullable=True,
        )
        if after_value is not None:
            # A cursor on a value carries [value, the video's created_at] (the index's order).
            after_value, after_tie = _field_cursor_value(after_value, sort_field)
    sort_keys = field_types.spec(sort_field.field_type).sort_keys
    after = None
    if after_value is not None:
        after = (
            f"after_{sort_keys}_{direction}",
            {"after_value": after_value, "after_tie": after_tie, "after_id": after_id},
        )
    # A cursor among the videos without a value continues after its id; otherwise they start.
    after_null = None
    if query.cursor is not None and after_value is None:
        after_null = (f"after_id_{direction}", {"after_id": after_id})
    # A condition on the sort field itself says which part can match: "is_empty", only the
    # videos without a value (walking the field's value index for the others found none: at 1M,
    # Published is_empty sorted by Published read every value, 6.9 s); any other operator, only
    # those with one (the videos without were walked to find none).
    on_sort_field = {c.op for c in query.filters if c.field_id == sort_field_id}
    valued = (query.cursor is None or after_value is not None) and "is_empty" not in on_sort_field
    unvalued_match = not on_sort_field - {"is_empty"}
    head = (field_types.spec(sort_field.field_type).sort_head, sort_values)
    # A walk of the field's value index checks the field's own conditions on the row it reads
    # (sorted_*): a range bounds it, where a probe per video checked each value it passed.
    walk_head: list[Part] = [(WALK_HEADS.get(head[0], head[0]), sort_values)]
    walk_conditions: list[Part] = []
    for condition, (name, values) in zip(filters, conditions, strict=True):
        on_row = f"sorted_{name}"
        if condition.field_id != sort_field_id or condition.op == "is_empty":
            walk_conditions.append((name, values))
        elif name == "is_not_empty":
            continue  # the walk reads only videos with a value
        elif on_row in SQL:
            unkeyed = {k: v for k, v in values.items() if k not in ("field_id", "list_id")}
            walk_head.append((on_row, unkeyed))
        else:
            walk_conditions.append((name, values))
    unvalued = ("unvalued_field", sort_values)

    def page_rest(limit: int) -> Statement:
        return _page(unvalued, conditions, after_null, f"order_id_{direction}", limit)

    rest = page_rest if unvalued_match else None

    def page_read_rest(read: list[Part], others: list[Part], limit: int) -> Statement:
        """The videos without a value among the capped matches `read`, by id."""
        order = f"order_id_{direction}"
        return _capped_by_field(
            read, unvalued, "capped_unvalued_match", others, after_null, order, limit
        )

    # An equality on the sort field bounds the walk to its value, whose entries are its matches
    # in the page's order: it does not drive (at 100k, Status = done sorted by Status walked the
    # field's every value, hashing the 7,534 matches: 9.5 ms, a page of the range 0.5).
    candidates = [
        (number, streams)
        for number, streams in _candidates(filters, conditions, fields)
        if not (filters[number].field_id == sort_field_id and filters[number].op == "eq")
    ]
    order = f"order_{sort_keys}_{direction}"
    if not candidates:
        by_read = await sort_read(conn, filters, conditions, fields, sort_field_id)
        # Under a range, up to SORT_CAP matches of it read and sorted; past the cap, the walk,
        # each video probed for every condition: left to the planner, it hashed the field's
        # every value against the range's matches (at 100k, Minutes >= 300 and Topics holding
        # topic03 sorted by Rating: 100,000 values hashed, 104 ms). A multi_select's walk only
        # once the field holds SPLIT_WALK_MIN_SETS sets, and not under a condition of its own
        # (each part then read the option's every set from its GIN index, probed and sorted:
        # Rating >= 4 and Topics holding topic03 by Topics, 16 -> 443 ms at 1M).
        walked = by_read is not None and (
            walk_head[0][0] not in SPLIT_BY_SET_SIZE
            or (len(walk_head) == 1 and await _sets_at_least(conn, list_id, sort_field_id))
        )
        first = _page(walk_head, walk_conditions, after, order, wanted, walked=walked)
        if by_read is None:
            return _Plan(sort_key, first if valued else None, rest)
        read_at, read_part = by_read
        others = conditions[:read_at] + conditions[read_at + 1 :]
        read_rest = partial(page_read_rest, [read_part], others) if unvalued_match else None
        if not valued:
            return _Plan(sort_key, None, read_rest, cap=SORT_CAP, walk_rest=rest)
        # As an equality's matches below (_sorted_or_hashed).
        capped, hashed = _sorted_or_hashed([read_part], head, others, after, order, wanted, list_id)
        return _Plan(
            sort_key,
            capped,
            read_rest,
            walk=first,
            cap=SORT_CAP,
            walk_rest=rest,
            hashed=hashed,
        )
    # An equality drives: its matches (up to SORT_CAP) are read and sorted by the field, the
    # other conditions probed; past the cap, the field's value index is walked as without one.
    kept = await _kept_matches(conn, list_id, filters, fields, candidates)
    driver, also = _fewest(kept) if kept else (await _driver(conn, candidates, "asc"), None)
    streams = dict(candidates)[driver]
    others = conditions[:driver] + conditions[driver + 1 :]
    # What the capped read keeps (the driver's matches, or those joined with `also`'s), and
    # the conditions left to probe on them.
    matches_read = _streams_read(streams)
    matches_others = others
    if also is not None:
        matches_read += [
            ("capped_also_open", {}),
            *_ranges(dict(candidates)[also], "asc"),
            ("capped_also_close", {}),
        ]
        matches_others = [c for n, c in enumerate(conditions) if n not in (driver, also)]
    if valued:
        cursor = None if after_value is None else (after_value, after_tie, after_id)
        first_value = await _first_value_page(
            conn, sort_field, head, direction, streams, others, cursor, wanted
        )
        if first_value is not None:
            return _Plan(sort_key, None, None, answered=first_value)

    capped_rest = partial(page_read_rest, matches_read, matches_others) if unvalued_match else None
    # Past the cap the equality is common: walking the field's order, each video is probed for
    # it (where it is the only condition), which lets a multi_select's walk be split.
    alone = len(conditions) == 1 and len(walk_conditions) == 1
    past_cap: Statement | Capped = _page(
        walk_head,
        walk_conditions,
        after,
        order,
        wanted,
        per_video=(0,) if alone and walk_head[0][0] in SPLIT_BY_SET_SIZE else (),
        # Under other conditions too, each video probed for every one: left to the planner,
        # at 1M, Status = done and Minutes >= 300 sorted by Published took 946 ms.
        walked=not alone and walk_head[0][0] not in SPLIT_BY_SET_SIZE,
    )
    walk_rest: Callable[[int], Statement | Capped] | None = rest
    if by_read := await sort_read(conn, filters, conditions, fields, sort_field_id):
        # Before the walk, a range an index reads (sort_read): its matches sorted while few,
        # read one past them at most (at 100k, Watched = true and Notes containing "quebec
        # romeo" sorted by Rating walked the whole order: 663 ms, now 20).
        read_at, read_part = by_read
        read_others = conditions[:read_at] + conditions[read_at + 1 :]
        range_up_to = partial(
            _sorted_few, [read_part], head, read_others, after, order, wanted, list_id
        )
        range_first = range_up_to(few_only=True, few_factor=RANGE_FIRST_FEW_FACTOR)
        # Past the equality's cap, more of the range before the walk (RANGE_FIRST_FEW_FACTOR).
        range_past_cap = range_up_to(few_only=True, few_factor=max(RANGE_FIRST_FEW_FACTOR, wanted))
        past_cap = Capped(range_past_cap, past_cap, past_cap)
        if rest is not None:
            walk_rest = partial(_read_then, partial(page_read_rest, [read_part], read_others), rest)
    if not valued:
        return _Plan(sort_key, None, capped_rest, cap=SORT_CAP, walk_rest=walk_rest)
    first, hashed = _sorted_or_hashed(
        matches_read, head, matches_others, after, order, wanted, list_id
    )
    past_few: Statement | Capped = hashed
    if by_read:
        # Past the equality's few too: the hashed walk stops at a full page, so reads the
        # field's whole order when few of the matches hold the range (at 100k, Status = done
        # and Minutes between 10 and 12 sorted by Rating: 81 ms, now 9).
        past_few = Capped(range_first, hashed, hashed)
    return _Plan(
        sort_key,
        first,
        capped_rest,
        walk=past_cap,
        cap=SORT_CAP,
        walk_rest=walk_rest,
        hashed=past_few,
    )


def _read_then(
    read: Callable[[int], Statement], walk: Callable[[int], Statement], limit: int
) -> Capped:
    """`read`'s capped statement for `limit` rows, `walk`'s past its cap."""
    return Capped(read(limit), walk(limit))


async def statement_of(
    conn: asyncpg.Connection, *, list_id: UUID, query: VideoSearch
) -> tuple[str, list[Any]] | None:
    """The SQL statement and parameters that answer search()'s first rows (for EXPLAIN and
    the bench): of a capped plan, the one its count chooses (the capped statement is run to
    count); None when none runs: the conditions contradict each other, or the kept counts
    show that no video can match."""
    plan = await _plan(conn, list_id, query)
    if plan.answered is not None:
        return plan.answered[0].text, plan.answered[0].params
    statement = plan.first
    if statement is None and plan.rest is not None:
        statement = plan.rest(query.limit + 1)
    if statement is None:
        return None
    walk, hashed = plan.walk, plan.hashed
    while plan.first is not None and walk is not None:
        rows = await _fetch(conn, statement)
        instead = _instead(rows, walk, plan.cap, hashed)
        if not isinstance(instead, Capped):
            statement = instead or statement
            break
        statement, walk, hashed = instead.statement, instead.walk, instead.hashed
    return statement.text, statement.params


def _field_cursor_value(value: Any, field: CustomField) -> tuple[Any, datetime]:
    value_type = field_types.spec(field.field_type).value_type
    invalid = InvalidInput("cursor is not valid: pass next_cursor from a previous page")
    if not isinstance(value, list) or len(value) != 2:
        raise invalid
    sort_value, tie = value
    if not isinstance(sort_value, value_type) or not isinstance(tie, datetime):
        raise invalid
    if isinstance(sort_value, list) and not sort_value:
        # No set is empty, and [] (whose first option is NULL) ended an ascending page.
        raise invalid
    return sort_value, tie


async def _fetch(conn: asyncpg.Connection, statement: Statement) -> list[asyncpg.Record]:
    with translated_errors(conn):
        return await conn.fetch(statement.text, *statement.params)


def _instead(
    rows: list[asyncpg.Record],
    walk: Statement | Capped | None,
    cap: int,
    hashed: Statement | Capped | None,
) -> Statement | Capped | None:
    """The statement that answers instead of a capped one, from the `matched` count of its
    rows: `walk` when it counted `cap` matches (there may be more), `hashed` when more than
    the `few` it sorts itself; None when the capped statement's own rows answer (or it is not
    capped)."""
    if walk is None:
        return None
    matched = rows[0]["matched"]
    if matched >= cap:
        return walk
    if hashed is not None and matched > rows[0]["few"]:
        return hashed
    return None


async def _capped_or_walk(
    conn: asyncpg.Connection,
    statement: Statement,
    walk: Statement | Capped | None,
    cap: int,
    hashed: Statement | Capped | None = None,
) -> tuple[list[asyncpg.Record], bool]:
    """The rows of a statement, or of the one that answers instead (see _instead); a capped
    statement's row of an empty page is left out. With whether its count passed the cap."""
    rows = await _fetch(conn, statement)
    instead = _instead(rows, walk, cap, hashed)
    if isinstance(instead, Capped):
        rows, _ = await _capped_or_walk(conn, instead.statement, instead.walk, cap, instead.hashed)
    elif instead is not None:
        rows = await _fetch(conn, instead)
    # What answers may be capped too (a hashed walk), whose count comes as a row of no video.
    return [row for row in rows if row["id"] is not None], walk is not None and instead is walk


async def _sets_at_least(conn: asyncpg.Connection, list_id: UUID, field_id: UUID) -> bool:
    """Whether the multi_select holds SPLIT_WALK_MIN_SETS sets or more, by the kept counts."""
    fill = await custom_fields.fill(conn, list_id=list_id, field_ids=[field_id])
    return fill.get(field_id, (0, 0))[0] >= SPLIT_WALK_MIN_SETS


async def _some_lack(conn: asyncpg.Connection, list_id: UUID, query: VideoSearch) -> bool:
    """Whether some video of the list has no value of the sort field, by the kept counts:
    where every video has one, the videos without a value are not read. Their read walks the
    list by id probing each video, and for a field every video holds it found none after all
    of them (the last page sorted by Rating: 171 ms at 100k; before the page was full, the
    capped matches of a rare phrase were read a second time for none)."""
    field_id = UUID(query.sort.by)
    fill = await custom_fields.fill(conn, list_id=list_id, field_ids=[field_id])
    filled, videos = fill.get(field_id, (0, 1))  # deleted meanwhile: the read says
    return filled < videos


async def search(conn: asyncpg.Connection, *, list_id: UUID, query: VideoSearch) -> VideoPage:
    plan = await _plan(conn, list_id, query)
    wanted = query.limit + 1
    rows: list[Any] = []  # records, or the rows of a page already read (dicts)
    if plan.answered is not None:
        rows = plan.answered[1]
    past_cap = False
    if plan.first is not None:
        rows, past_cap = await _capped_or_walk(
            conn, plan.first, plan.walk, plan.cap, hashed=plan.hashed
        )
    if plan.rest is not None and len(rows) < wanted and await _some_lack(conn, list_id, query):
        rest = plan.rest(wanted - len(rows))
        walk_rest = plan.walk_rest(wanted - len(rows)) if plan.walk_rest is not None else None
        # The rest's capped read counts the same matches as the first part's: past its cap
        # there, it is past it here, and what answers past it answers (at 100k, Watched = true
        # read to its cap again, 86 ms, for the videos without a value among a rare phrase's
        # matches).
        if past_cap and isinstance(walk_rest, Capped):
            rest, walk_rest = walk_rest.statement, walk_rest.walk
        elif past_cap and isinstance(walk_rest, Statement):
            rest, walk_rest = walk_rest, None
        rows += (await _capped_or_walk(conn, rest, walk_rest, plan.cap))[0]
    if not rows and not query.names_a_field:
        # An empty page: of a list that does not exist? With a field named, its lookup said
        # already (a field is found only in a list the caller can see).
        await lists.ensure_exists(conn, list_id=list_id)
    items = await field_values.videos_with_values(
        conn, list_id=list_id, rows=rows[: query.limit], field_ids=query.include_fields
    )
    next_cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        value = last["sort_value"]
        if last["sort_tie"] is not None:
            value = [value, last["sort_tie"]]
        next_cursor = paging.encode(plan.sort_key, value, last["id"], list_id)
    return VideoPage(items=items, next_cursor=next_cursor)
