"""The product's queries as bench cases: the exact SQL and parameters the repository runs.

Each case states the index it expects. `selective` marks a case whose matches are few (under
about 5 % of the list): for those, a plan without the expected index (or with a seq scan of
video_field_values) is a failure; for the others it is only noted, since walking the list's
newest-first index and probing each video's values is then the cheaper plan."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg

from app.bench import jsonb
from app.bench.data import BenchData
from app.models.video_search import Condition, Sort, VideoSearch
from app.repositories import field_values, video_search, videos

NEWEST = "videos_list_newest_idx"
PKEY = "video_field_values_pkey"
NUMERIC = "video_field_values_numeric_idx"
TEXT = "video_field_values_text_idx"
BOOLEAN = "video_field_values_boolean_idx"


@dataclass
class Case:
    name: str
    sql: str
    params: list[Any]
    expect: tuple[str, ...]  # every one must be used; "a|b": either a or b
    selective: bool = False
    write: bool = False
    # The search request behind the SQL, for the repository and API layers.
    search: VideoSearch | None = None
    jsonb: tuple[str, list[Any]] | None = None
    notes: list[str] = field(default_factory=list)


def _search(
    data: BenchData, *conditions: tuple[str, str, Any], sort: Sort | None = None
) -> VideoSearch:
    return VideoSearch(
        filters=[
            Condition(field_id=data.fields[name], op=op, value=value)  # type: ignore[arg-type]
            for name, op, value in conditions
        ],
        sort=sort or Sort(),
    )


# name, conditions, expected indexes, selective
SEARCHES: list[tuple[str, tuple[tuple[str, str, Any], ...], tuple[str, ...], bool]] = [
    ("rating_eq", (("Rating", "eq", 5),), (NEWEST, PKEY), False),
    ("rating_ne", (("Rating", "ne", 3),), (NEWEST, PKEY), False),
    ("rating_gt", (("Rating", "gt", 3),), (NEWEST, PKEY), False),
    ("rating_gte", (("Rating", "gte", 4),), (NEWEST, PKEY), False),
    ("rating_lt", (("Rating", "lt", 2),), (NEWEST, PKEY), False),
    ("rating_lte", (("Rating", "lte", 2),), (NEWEST, PKEY), False),
    ("rating_between_rare", (("Difficulty", "between", [10, 10]),), (NUMERIC,), True),
    ("rating_is_empty", (("Difficulty", "is_empty", None),), (NEWEST, PKEY), False),
    ("rating_is_not_empty", (("Difficulty", "is_not_empty", None),), (NEWEST, PKEY), False),
    ("select_eq", (("Status", "eq", "inbox"),), (NEWEST, PKEY), False),
    ("select_eq_rare", (("Status", "eq", "rewatch"),), (TEXT,), True),
    ("select_ne", (("Status", "ne", "inbox"),), (NEWEST, PKEY), False),
    ("select_in_rare", (("Language", "in", ["lang03", "lang07"]),), (TEXT,), True),
    ("select_not_in", (("Language", "not_in", ["lang03"]),), (NEWEST, PKEY), False),
    ("text_eq_rare", (("Notes", "eq", "alpha bravo charlie 7"),), (TEXT,), True),
    ("text_contains", (("Notes", "contains", "jazz"),), (NEWEST, PKEY), False),
    ("text_starts_with", (("Notes", "starts_with", "alpha"),), (NEWEST, PKEY), False),
    ("boolean_eq", (("Watched", "eq", True),), (NEWEST, PKEY), False),
    ("boolean_eq_rare", (("Favorite", "eq", True),), (BOOLEAN,), True),
    (
        "two_conditions",
        (("Rating", "gte", 4), ("Status", "eq", "done")),
        (NEWEST, PKEY),
        False,
    ),
    (
        "two_conditions_rare",
        (("Rating", "eq", 5), ("Status", "eq", "rewatch")),
        (TEXT,),
        True,
    ),
    (
        "three_conditions",
        (("Rating", "gte", 4), ("Watched", "eq", True), ("Language", "eq", "lang05")),
        (TEXT,),
        True,
    ),
]


def _jsonb(data: BenchData, search: VideoSearch) -> tuple[str, list[Any]] | None:
    """The same filter on the JSONB layout (app/bench/jsonb.py), or None for a sort by field."""
    if search.sort.by != "created_at":
        return None
    return jsonb.search_sql(data, search)


async def build(conn: asyncpg.Connection, data: BenchData) -> list[Case]:
    cases: list[Case] = []
    for name, conditions, expect, selective in SEARCHES:
        search = _search(data, *conditions)
        sql, params = await video_search.statement_of(conn, list_id=data.list_id, query=search)
        cases.append(
            Case(
                f"search_{name}",
                sql,
                params,
                expect,
                selective,
                search=search,
                jsonb=_jsonb(data, search),
            )
        )
    for name, field_name, direction, expect in (
        ("sort_rating_desc", "Rating", "desc", (PKEY,)),
        ("sort_difficulty_asc", "Difficulty", "asc", (PKEY,)),
    ):
        search = _search(data, sort=Sort(by=str(data.fields[field_name]), direction=direction))  # type: ignore[arg-type]
        sql, params = await video_search.statement_of(conn, list_id=data.list_id, query=search)
        cases.append(Case(f"search_{name}", sql, params, expect, search=search))

    video = data.sample_videos[0]
    cases.append(
        Case(
            "fields_of_video",
            field_values.SQL["fields_of_video"].text,
            [data.list_id, video],
            ("videos_pkey|videos_list_id_id_unique", "video_tags_pkey", PKEY),
            selective=True,
        )
    )
    cases.append(
        Case(
            "newest_page",
            videos.SQL["newest_first_page"].text,
            [data.list_id, 51],
            (NEWEST,),
            selective=True,
        )
    )
    cases.append(
        Case(
            "set_one_value",
            field_values.SQL["set_one"].text,
            [data.list_id, video, data.fields["Rating"], None, Decimal(4), None],
            (PKEY,),
            selective=True,
            write=True,
        )
    )
    batch = batch_rows(data, 0)
    cases.append(
        Case(
            "set_batch_1000",
            field_values.SQL["set_many"].text,
            [data.list_id, *batch],
            (PKEY,),
            selective=True,
            write=True,
        )
    )
    return cases


def batch_rows(data: BenchData, offset: int, size: int = 1000) -> list[list[Any]]:
    """Arguments $2..$6 of set_many: `size` Rating values on consecutive sample-free videos."""
    ids = data.batch_videos[offset : offset + size]
    return [
        ids,
        [data.fields["Rating"]] * len(ids),
        [None] * len(ids),
        [Decimal(1 + i % 5) for i in range(len(ids))],
        [None] * len(ids),
    ]
