"""The product's queries as bench cases: the exact SQL and parameters the repository runs.

Every case states the indexes its plan must use, and `make bench` fails when one misses them
(or reads video_field_values whole): there are no "note only" cases. A search whose
conditions contradict each other, or that the kept counts settle, runs no statement at all
(sql is None)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from app.models.video_facets import VideoFacetsQuery
from app.models.video_search import Condition, Sort, VideoSearch
from app.repositories import field_values, paging, video_facets, video_search, videos
from bench import jsonb
from bench.data import BenchData

NEWEST = "videos_list_newest_idx"
TITLE = "videos_list_title_idx"
PKEY = "video_field_values_pkey"
NUMERIC = "video_field_values_numeric_idx"
TEXT = "video_field_values_text_idx"
BOOLEAN = "video_field_values_boolean_idx"
DATE = "video_field_values_date_idx"
OPTIONS = "video_field_values_options_idx"
TRIGRAM = "video_field_values_text_trgm_idx"
PREFIX = "video_field_values_text_prefix_idx"
RECENT = "video_field_values_text_recent_idx"  # a text field's values, newest first
RANGE_RECENT = "video_field_values_range_recent_idx"  # a number or date field's, newest first
OPTIONS_RECENT = "video_field_values_options_recent_idx"  # a multi_select field's, newest first
OPTIONS_ORDER = "video_field_values_options_order_idx"  # a multi_select's, by its first options
WALK = (NEWEST, PKEY)  # the list's newest videos, each probed by primary key


@dataclass
class Case:
    name: str
    sql: str | None
    params: list[Any]
    expect: tuple[str, ...]  # every one must be used; "a|b": either a or b
    write: bool = False
    # The search or facets request behind the SQL, for the repository and API layers.
    search: VideoSearch | None = None
    facets: VideoFacetsQuery | None = None
    jsonb: tuple[str, list[Any]] | None = None
    unread: tuple[str, ...] = ()  # tables the plan must not read at all
    most_values_read: int | None = None  # the most video_field_values rows it may read
    most_sorted: int | None = None  # the most rows it may sort (None: SORT_CAP)
    # Planned once for any values (one generic plan per connection), as the repository runs
    # it (app/db/plans.py); else for its values, the app's default.
    generic: bool = False
    # Planned to count many rows into few groups, as the filtered facets are
    # (plans.plan_to_count: no Memoize, no sort); else with the defaults.
    counting: bool = False
    # The statement EXPLAINed for the plan check when `sql` runs it inside a PL/pgSQL
    # function, which EXPLAIN does not look into (None: `sql` itself). It is EXPLAINed
    # generically: the function keeps one generic plan of it per connection.
    explained: str | None = None


def _search(
    data: BenchData,
    *conditions: tuple[str, str, Any],
    sort: Sort | None = None,
    cursor: str | None = None,
) -> VideoSearch:
    return VideoSearch(
        filters=[
            Condition(field_id=data.fields[name], op=op, value=value)  # type: ignore[arg-type]
            for name, op, value in conditions
        ],
        sort=sort or Sort(),
        cursor=cursor,
    )


TITLE_SORT = Sort(by="title", direction="asc")

# name, conditions, expected indexes, sort (None: newest first)
SEARCHES: list[tuple[str, tuple[tuple[str, str, Any], ...], tuple[str, ...], Sort | None]] = [
    ("rating_eq", (("Rating", "eq", 5),), (NUMERIC,), None),
    # A rating's range, "ne" or "is_not_empty": one stream per value it holds that matches
    # (the kept counts name them), merged.
    ("rating_ne", (("Rating", "ne", 3),), (NUMERIC,), None),
    ("rating_gt", (("Rating", "gt", 3),), (NUMERIC,), None),
    ("rating_gte", (("Rating", "gte", 4),), (NUMERIC,), None),
    ("rating_lt", (("Rating", "lt", 2),), (NUMERIC,), None),
    ("rating_lte", (("Rating", "lte", 2),), (NUMERIC,), None),
    ("rating_between_rare", (("Difficulty", "between", [10, 10]),), (NUMERIC,), None),
    ("rating_is_empty", (("Difficulty", "is_empty", None),), WALK, None),
    ("rating_is_not_empty", (("Difficulty", "is_not_empty", None),), (NUMERIC,), None),
    ("select_eq", (("Status", "eq", "inbox"),), (TEXT,), None),
    ("select_eq_rare", (("Status", "eq", "rewatch"),), (TEXT,), None),
    # A select's ne and not_in drive as the options held that match (the kept counts).
    ("select_ne", (("Status", "ne", "inbox"),), (TEXT,), None),
    ("select_in_rare", (("Language", "in", ["lang03", "lang07"]),), (TEXT,), None),
    ("select_not_in", (("Language", "not_in", ["lang03"]),), (TEXT,), None),
    ("text_eq_rare", (("Notes", "eq", "alpha bravo charlie 7"),), (TEXT,), None),
    # A substring or prefix search streams its field's values newest first where the first
    # 500 show its matches dense ("jazz": 5% of Notes); sparse, it reads them from the trigram
    # or prefix index and sorts them. "alpha" (2% of Notes) is dense enough at 1M, not at 100k.
    ("text_contains", (("Notes", "contains", "jazz"),), (RECENT,), None),
    ("text_contains_rare", (("Notes", "contains", "quebec romeo"),), (TRIGRAM,), None),
    ("text_starts_with", (("Notes", "starts_with", "alpha"),), (f"{RECENT}|{PREFIX}",), None),
    ("number_eq_rare", (("Minutes", "eq", 42.5),), (NUMERIC,), None),
    # A common range on a number or date streams its field's values newest first, a rare one
    # reads its matches from the value index and sorts them (as a text range).
    ("number_gte", (("Minutes", "gte", 300),), (RANGE_RECENT,), None),
    ("number_between_rare", (("Minutes", "between", [42.5, 42.6]),), (NUMERIC,), None),
    # No index finds the matches of "ne" or of a text's presence: the field's values stream
    # newest first, each checked from the index, instead of the walk probing every video.
    ("number_ne", (("Minutes", "ne", 300),), (RANGE_RECENT,), None),
    ("text_is_not_empty", (("Notes", "is_not_empty", None),), (RECENT,), None),
    ("date_eq_rare", (("Published", "eq", "2020-05-17"),), (DATE,), None),
    ("date_after", (("Published", "after", "2015-01-01"),), (RANGE_RECENT,), None),
    ("date_between_rare", (("Published", "between", ["2020-05-17", "2020-05-18"]),), (DATE,), None),
    ("url_eq_rare", (("Link", "eq", "https://example.com/v/4242"),), (TEXT,), None),
    ("url_starts_with", (("Link", "starts_with", "https://example.com/v/1"),), (RECENT,), None),
    # An options condition as a range: a rare option's matches read from the GIN index and
    # sorted, a common one's field streamed newest first, each array checked from the index.
    ("options_has_any_rare", (("Topics", "has_any", ["topic19"]),), (OPTIONS,), None),
    ("options_has_all", (("Topics", "has_all", ["topic00"]),), (OPTIONS_RECENT,), None),
    ("boolean_eq", (("Watched", "eq", True),), (BOOLEAN,), None),
    ("boolean_eq_rare", (("Favorite", "eq", True),), (BOOLEAN,), None),
    ("boolean_eq_false", (("Watched", "eq", False),), (BOOLEAN,), None),
    ("two_conditions", (("Rating", "gte", 4), ("Status", "eq", "done")), (TEXT, PKEY), None),
    ("two_conditions_rare", (("Rating", "eq", 5), ("Status", "eq", "rewatch")), (TEXT, PKEY), None),
    (
        "three_conditions",
        (("Rating", "gte", 4), ("Watched", "eq", True), ("Language", "eq", "lang05")),
        (TEXT, PKEY),
        None,
    ),
    ("rare_x_common", (("Status", "eq", "rewatch"), ("Rating", "gte", 4)), (TEXT, PKEY), None),
    ("rare_x_rare", (("Status", "eq", "rewatch"), ("Language", "eq", "lang03")), (TEXT,), None),
    # A number's range beside an equality: counted first, read and sorted when rare; when
    # common, the equality drives (the count was the cost of knowing).
    (
        "rare_range_x_common",
        (("Status", "eq", "done"), ("Minutes", "between", [42.5, 42.6])),
        (NUMERIC, PKEY),
        None,
    ),
    ("common_range_x_common", (("Status", "eq", "done"), ("Minutes", "gte", 300)), (TEXT,), None),
    # A substring or a prefix beside an equality: sampled as alone; sparse, its matches are
    # read by its index and sorted, the equality probed per match ("quebec romeo": 278 of
    # Notes at 1M; "alpha": 2%, its reads priced as a range's), else the equality drives, a
    # prefix probed per video (the Link prefix, 11% of Links: sparse at 100k, not at 1M).
    (
        "rare_text_x_common",
        (("Status", "eq", "done"), ("Notes", "contains", "quebec romeo")),
        (TRIGRAM, PKEY),
        None,
    ),
    (
        "prefix_x_common",
        (("Status", "eq", "done"), ("Notes", "starts_with", "alpha")),
        (PREFIX, PKEY),
        None,
    ),
    (
        "common_prefix_x_common",
        (("Status", "eq", "done"), ("Link", "starts_with", "https://example.com/v/1")),
        (f"{TEXT}|{PREFIX}", PKEY),
        None,
    ),
    ("contradiction", (("Rating", "eq", 5), ("Rating", "eq", 3)), (), None),
    # An equality and a range, or two ranges, on one field that no value meets: no statement.
    ("contradiction_ranges", (("Rating", "eq", 4), ("Rating", "lt", 2)), (), None),
    # Every video has a Rating: the kept counts answer without a statement.
    ("is_empty_full", (("Rating", "is_empty", None),), (), None),
    ("sort_title", (), (TITLE,), TITLE_SORT),
    ("sort_title_filtered", (("Status", "eq", "done"),), (TITLE, PKEY), TITLE_SORT),
    # By title under a rare substring, no equality: its matches read by the trigram index and
    # sorted (walking the title's order read the whole list: 308 ms at 100k).
    ("sort_title_rare_contains", (("Notes", "contains", "quebec romeo"),), (TRIGRAM,), TITLE_SORT),
]
# (name, fields, filters, expected indexes): unfiltered facets come from the kept counts; a
# filtered one reads the matching videos (Status = rewatch: 0.5% of the list) and their values.
# Unfiltered facets read only the small counts tables (whole: seq scans of a few hundred rows),
# and no video; no value either, but a number's or a date's min and max: the two ends of its
# value index. The check holds them to that.
FACETS: list[tuple[str, tuple[str, ...], tuple[tuple[str, str, Any], ...], tuple[str, ...]]] = [
    ("facets_select", ("Status",), (), ()),
    ("facets_rating", ("Rating",), (), ()),
    ("facets_options", ("Topics",), (), ()),
    ("facets_number", ("Minutes",), (), (NUMERIC,)),
    ("facets_date", ("Published",), (), (DATE,)),
    (
        "facets_rare_filter",
        ("Rating", "Status", "Minutes"),
        (("Status", "eq", "rewatch"),),
        (TEXT, PKEY),
    ),
    # A common filter (Status = done: 7.5% of the list, 75,000 videos at 1M), past the 10,000
    # the issue holds to 20 ms: reported as it comes. Its values are read by a probe per video
    # (under a quarter of the list: video_facets.PROBED_SHARE).
    (
        "facets_common_filter",
        ("Rating", "Status", "Minutes"),
        (("Status", "eq", "done"),),
        (TEXT, PKEY),
    ),
    # A range with no equality beside it (Minutes >= 300: 15% of the list): its matches come
    # from its value index alone (the list's every video hashed against them before).
    (
        "facets_range_filter",
        ("Rating", "Status", "Minutes"),
        (("Minutes", "gte", 300),),
        (NUMERIC, PKEY),
    ),
    # A multi_select's options under the common filter: read from their own index, probed per
    # video as the other fields' values are (read from the table after grouping by video, they
    # were hashed against its every row: 1.2 s at 1M under Watched = true).
    (
        "facets_options_filter",
        ("Rating", "Topics"),
        (("Status", "eq", "done"),),
        (TEXT, PKEY, OPTIONS_RECENT),
    ),
    # A substring with no equality beside it: its matches come from the trigram index.
    (
        "facets_text_filter",
        ("Rating", "Status", "Minutes"),
        (("Notes", "contains", "quebec romeo"),),
        (TRIGRAM, PKEY),
    ),
]
# The fields whose values the include_fields cases ask for: 50 items x 5 fields.
INCLUDED_FIELDS = ("Rating", "Status", "Notes", "Watched", "Difficulty")
# The values a page of a text range may read: the stream stops after about wanted / density of
# them (460-2,300 in these cases), a capped read sorts at most its cap (2,600 for "alpha" at
# 100k). Reading the field's every value and sorting the matches (another index, planned on a
# 0.5% guess for the pattern) took 60-185 ms at 1M and fails the run.
MOST_VALUES_READ = {"text_contains": 5_000, "text_starts_with": 5_000, "url_starts_with": 5_000}
# The searches no index can shortcut, which may take over 2 ms (up to 20; bench/report.py
# holds them to it and prints what their plans read), and why. Measured at 1M: rare_x_rare
# returns 27 videos, and reads the 5,076 + 5,046 entries of both values' ranges (2.5 ms);
# text_contains_rare spends 6.3 of its 8.7 ms in the trigram index's bitmap scan (224 buffers,
# 971 candidates for 278 matches): intersecting the posting lists of the pattern's trigrams.
# A sort by a field or the title under a rare phrase reads it so too (8.7-9.9 ms at 1M).
# Not here: a sort by a field under a rare equality, or three conditions, which a merge of
# ordered value streams could shortcut (README, Performance).
NO_SHORTCUT = {
    "search_rare_x_rare": (
        "fewer videos hold both rare values than a page fills, so both values' index ranges "
        "are read whole to find that no more match"
    ),
    "search_text_contains_rare": (
        "the trigram index is the shortcut; a rare phrase of common trigrams costs the "
        "intersection of their long posting lists"
    ),
    "search_rare_text_x_common": (
        "the trigram index is the shortcut, as for text_contains_rare, and each of the "
        "phrase's matches is then probed for the equality"
    ),
    "search_sort_rating_rare_contains": (
        "the trigram index is the shortcut, as for text_contains_rare, and the phrase's "
        "matches are then sorted by the field (each one's value looked up by key)"
    ),
    "search_sort_rating_common_x_rare_contains": (
        "as search_sort_rating_rare_contains, after the common equality's read counted past "
        "its cap (the asyncpg layer times the last statement)"
    ),
    "search_sort_title_rare_contains": (
        "the trigram index is the shortcut, as for text_contains_rare, and the phrase's "
        "matches are then sorted by title (each video looked up by key)"
    ),
}
# A page deep into a common filter, reached through next_cursor: it must cost what page 1 does.
DEEP_PAGE = 10


async def _statement(
    conn: asyncpg.Connection, data: BenchData, search: VideoSearch
) -> tuple[str | None, list[Any]]:
    statement = await video_search.statement_of(conn, list_id=data.list_id, query=search)
    return statement if statement is not None else (None, [])


async def _deep_cursor(
    conn: asyncpg.Connection, data: BenchData, search: VideoSearch
) -> str | None:
    """next_cursor of page DEEP_PAGE - 1, following the pages one by one (at a tiny scale,
    of the last page there is)."""
    cursor = None
    for _ in range(DEEP_PAGE - 1):
        query = search.model_copy(update={"cursor": cursor})
        page = await video_search.search(conn, list_id=data.list_id, query=query)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return cursor


async def _search_case(
    conn: asyncpg.Connection,
    data: BenchData,
    name: str,
    search: VideoSearch,
    expect: tuple[str, ...],
) -> Case:
    await conn.execute("RESET plan_cache_mode")
    sql, params = await _statement(conn, data, search)
    # Whether the search switched to one generic plan (outside a transaction the switch stays
    # on the connection): the cases time and explain it so, as the repository runs it.
    generic = await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    await conn.execute("RESET plan_cache_mode")
    jsonb_side = None
    if search.sort.by in ("created_at", "title"):
        after = None
        if search.cursor is not None:
            after = paging.decode(search.cursor, "created_at:desc", object, data.list_id)
        jsonb_side = jsonb.search_sql(data, search, after=after)
    return Case(
        f"search_{name}",
        sql,
        params,
        expect,
        search=search,
        jsonb=jsonb_side,
        generic=generic,
        most_values_read=MOST_VALUES_READ.get(name),
        most_sorted=video_search.most_sorted(data.scale, search.limit + 1),
    )


async def build(conn: asyncpg.Connection, data: BenchData) -> list[Case]:
    cases: list[Case] = []
    for name, conditions, expect, sort in SEARCHES:
        cases.append(
            await _search_case(conn, data, name, _search(data, *conditions, sort=sort), expect)
        )
    common = _search(data, ("Rating", "eq", 5))
    deep = common.model_copy(update={"cursor": await _deep_cursor(conn, data, common)})
    cases.append(await _search_case(conn, data, f"page_{DEEP_PAGE}_rating_eq", deep, (NUMERIC,)))
    # Values in the results: the first page with five fields' values (one more statement).
    with_fields = common.model_copy(
        update={"include_fields": [data.fields[n] for n in INCLUDED_FIELDS]}
    )
    cases.append(await _search_case(conn, data, "rating_eq_with_5_fields", with_fields, (NUMERIC,)))
    page = await video_search.search(conn, list_id=data.list_id, query=common)
    cases.append(
        Case(
            "values_of_page",
            field_values.SQL["values_of_videos"].text,
            [
                data.list_id,
                [data.fields[n] for n in INCLUDED_FIELDS],
                [item.id for item in page.items],
            ],
            (PKEY,),
            generic=True,  # it follows the page of an equality, planned generically
        )
    )
    # Sorted by a field; with a rare equality (0.5% of the list), its matches drive: sorted
    # when few (up to the square root of the list's videos), looked up in a hash along the
    # field's value index when more (at 100k and at 1M alike).
    for name, field_name, direction, conditions, expect in (
        ("sort_rating_desc", "Rating", "desc", (), (NUMERIC,)),
        ("sort_difficulty_asc", "Difficulty", "asc", (), (NUMERIC,)),
        ("sort_minutes_desc", "Minutes", "desc", (), (NUMERIC,)),
        # By a multi_select: its option sets of one or two options by creation (all one set in
        # a group of their first two options: 0050), a page of them, and the others in the
        # order of their first two options, the sets sharing them sorted whole (before 0050,
        # at 1M, the first group, 7,413 sets of one option, was sorted whole).
        ("sort_topics_asc", "Topics", "asc", (), (OPTIONS_ORDER,)),
        # Under a common condition (15% of the list, past the cap: walked), the order index is
        # walked in both parts and each set's video probed until each part has a page;
        # estimating the field's rows at a fraction (without 0047's statistics), the planner
        # read every set of the field from another index and sorted them (81 ms at 100k).
        (
            "sort_topics_common_filter",
            "Topics",
            "asc",
            (("Watched", "eq", True),),
            (OPTIONS_ORDER, PKEY),
        ),
        (
            "sort_rating_rare_filter",
            "Rating",
            "desc",
            (("Status", "eq", "rewatch"),),
            (TEXT, f"{PKEY}|{NUMERIC}"),
        ),
        # Under a rare substring, no equality: its matches read by the trigram index and
        # sorted by the field (walking the field's order read the whole list: 1.3 s at 100k).
        (
            "sort_rating_rare_contains",
            "Rating",
            "desc",
            (("Notes", "contains", "quebec romeo"),),
            (TRIGRAM,),
        ),
        # The same under a common equality (past the cap): the phrase's matches are read before
        # any walk of the field's order (walked first: 1.2 s at 100k).
        (
            "sort_rating_common_x_rare_contains",
            "Rating",
            "desc",
            (("Watched", "eq", True), ("Notes", "contains", "quebec romeo")),
            (TRIGRAM,),
        ),
        # A range on the sort field itself bounds the walk of its value index (sorted_*):
        # probed per video instead, the walk read every later date first (626 ms at 1M).
        (
            "sort_date_own_range",
            "Published",
            "desc",
            (("Published", "before", "2012-01-01"),),
            (DATE,),
        ),
    ):
        sort = Sort(by=str(data.fields[field_name]), direction=direction)  # type: ignore[arg-type]
        search = _search(data, *conditions, sort=sort)
        cases.append(await _search_case(conn, data, name, search, expect))
    # Page 10 of a multi_select's sort under a common condition, as page 1 above: the keyset
    # starts the order index's walk at the cursor (estimated as the field's every set, the
    # planner read them all from another index and sorted them: 200 ms a page at 100k).
    sort = Sort(by=str(data.fields["Topics"]), direction="asc")
    topics = _search(data, ("Watched", "eq", True), sort=sort)
    deep = topics.model_copy(update={"cursor": await _deep_cursor(conn, data, topics)})
    name = f"page_{DEEP_PAGE}_sort_topics_common_filter"
    cases.append(await _search_case(conn, data, name, deep, (OPTIONS_ORDER, PKEY)))

    for name, field_names, conditions, expect in FACETS:
        query = VideoFacetsQuery(
            filters=_search(data, *conditions).filters,
            fields=[data.fields[n] for n in field_names],
        )
        statement = await video_facets.statement_of(conn, list_id=data.list_id, query=query)
        assert statement is not None
        sql, params = statement
        side = jsonb.facets_sql(data, query)
        unread: tuple[str, ...] = ()
        most_values_read = None
        if not conditions:
            unread = ("videos",)
            most_values_read = 2 * len(expect)  # the two ends of each figure's index
            if not expect:
                unread += ("video_field_values",)
        cases.append(
            Case(
                name,
                sql,
                params,
                expect,
                facets=query,
                jsonb=side,
                unread=unread,
                most_values_read=most_values_read,
                generic=not conditions,
                counting=bool(conditions),
            )
        )

    video = data.sample_videos[0]
    cases.append(
        Case(
            "fields_of_video",
            field_values.SQL["fields_of_video"].text,
            [data.list_id, video],
            ("videos_pkey", "video_tags_pkey", PKEY),
            generic=True,
        )
    )
    cases.append(
        Case(
            "newest_page",
            videos.SQL["newest_first_page"].text,
            [data.list_id, 51],
            (NEWEST,),
        )
    )
    cases.append(
        Case(
            "set_one_value",
            field_values.SQL["set_one"].text,
            [data.list_id, video, data.fields["Rating"], None, Decimal(4), None, None, None],
            (PKEY, "videos_pkey"),
            write=True,
            explained=field_values.SQL["set_one_upsert"].text,
        )
    )
    batch = batch_rows(data, 0)
    cases.append(
        Case(
            "set_batch_1000",
            field_values.SQL["set_many"].text,
            [data.list_id, *batch],
            (PKEY,),
            write=True,
        )
    )
    return cases


def batch_rows(data: BenchData, offset: int, size: int = 1000, shift: int = 0) -> list[list[Any]]:
    """Arguments $2..$8 of set_many: `size` Rating values on consecutive sample-free videos,
    1..5 in turn from `shift`."""
    ids = data.batch_videos[offset : offset + size]
    return [
        ids,
        [data.fields["Rating"]] * len(ids),
        [None] * len(ids),
        [Decimal(1 + (i + shift) % 5) for i in range(len(ids))],
        [None] * len(ids),
        [None] * len(ids),
        [None] * len(ids),
    ]
