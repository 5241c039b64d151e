"""Facets against a brute-force count in Python, over random values of every field type, with
and without filters, and after updates, clears and deletes."""

import asyncio
import random
import re
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg
import pytest

from app import field_types
from app.errors import InvalidValue, NotFound
from app.models.custom_fields import CustomField
from app.models.lists import BookmarkList
from app.models.video_facets import VideoFacetsQuery
from app.models.video_search import Condition
from app.models.videos import Video
from app.repositories import field_values, video_facets, video_search, videos
from tests.repositories.conftest import Builder, plan_mode, plan_nodes, value_of

CENT = Decimal("0.01")
Truth = dict[tuple[uuid.UUID, uuid.UUID], Any]  # (video, field) -> the value it holds


def random_value(rng: random.Random, field: CustomField) -> Any:
    """A value that fits the field (DEFAULT_CONFIGS), drawn from few enough choices that the
    counts repeat."""
    options = field.config.get("options", [])
    return {
        "rating": lambda: Decimal(rng.choice(["0", "1", "2.5", "3", "4", "5"])),
        "select": lambda: rng.choice(options),
        "text": lambda: rng.choice(["a", "b", "c"]),
        "boolean": lambda: rng.random() < 0.5,
        "number": lambda: Decimal(rng.randint(-10000, 100000)) / 100,
        "date": lambda: date(rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)),
        "url": lambda: f"https://example.com/{rng.randint(1, 5)}",
        "multi_select": lambda: rng.sample(options, rng.randint(1, 2)),
    }[field.field_type]()


def json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def brute_force(fields: list[CustomField], matching: list[uuid.UUID], truth: Truth) -> Any:
    """What the facets should say, counted value by value, as JSON."""
    facets = []
    for field in fields:
        held = [
            truth[(video_id, field.id)] for video_id in matching if (video_id, field.id) in truth
        ]
        facet: dict[str, Any] = {
            "field_id": str(field.id),
            "field_type": field.field_type.value,
            "filled": len(held),
            "empty": len(matching) - len(held),
        }
        shape = field_types.spec(field.field_type).facet
        if shape == "options":
            flat = [o for value in held for o in (value if isinstance(value, list) else [value])]
            facet["counts"] = [
                {"value": o, "count": flat.count(o)} for o in field.config["options"]
            ]
        elif shape == "boolean":
            facet["counts"] = [{"value": v, "count": held.count(v)} for v in (True, False)]
        elif shape == "rating":
            values = sorted({Decimal(v) for v in range(field.config["max_rating"] + 1)} | set(held))
            facet["counts"] = [{"value": json_number(v), "count": held.count(v)} for v in values]
        if shape in ("rating", "number"):
            average = (
                (sum(held, Decimal(0)) / len(held)).quantize(CENT, ROUND_HALF_UP) if held else None
            )
            facet["min"] = json_number(min(held)) if held else None
            facet["max"] = json_number(max(held)) if held else None
            facet["avg"] = None if average is None else json_number(average)
        if shape == "date":
            facet["min"] = min(held).isoformat() if held else None
            facet["max"] = max(held).isoformat() if held else None
        facets.append(facet)
    return {"total": len(matching), "facets": facets}


def holds(value: Any, op: str, operand: Any) -> bool:
    """A search operator, brute force (value None: the video holds none)."""
    if op == "is_empty":
        return value is None
    if value is None:
        return False
    if op == "is_not_empty":
        return True
    return {
        "eq": lambda: value == operand,
        "gte": lambda: value >= Decimal(str(operand)),
        "gt": lambda: value > Decimal(str(operand)),
        "lt": lambda: value < Decimal(str(operand)),
        "in": lambda: value in operand,
        "has_any": lambda: bool(set(value) & set(operand)),
        "before": lambda: value < date.fromisoformat(operand),
        "after": lambda: value > date.fromisoformat(operand),
        "between": lambda: Decimal(str(operand[0])) <= value <= Decimal(str(operand[1])),
        "contains": lambda: operand.lower() in value.lower(),
        "starts_with": lambda: value.startswith(operand),
    }[op]()


async def rows_read(conn: asyncpg.Connection, statement: tuple[str, list[Any]], table: str) -> int:
    """How many rows of `table` the statement's plan reads, from EXPLAIN ANALYZE."""
    return sum(
        node.get("Actual Rows", 0) * node.get("Actual Loops", 0)
        for node in await plan_nodes(conn, *statement, analyze=True)
        if node.get("Relation Name") == table
    )


async def check(
    conn: asyncpg.Connection,
    bl: BookmarkList,
    fields: list[CustomField],
    alive: list[Video],
    truth: Truth,
    filters: list[tuple[CustomField, str, Any]],
) -> None:
    matching = [
        video.id
        for video in alive
        if all(holds(truth.get((video.id, f.id)), op, operand) for f, op, operand in filters)
    ]
    query = VideoFacetsQuery(
        filters=[Condition(field_id=f.id, op=op, value=operand) for f, op, operand in filters],
        fields=[field.id for field in fields],
    )
    found = await video_facets.facets(conn, list_id=bl.id, query=query)
    assert found.model_dump(mode="json") == brute_force(fields, matching, truth), filters


async def filtered_statement(
    conn: asyncpg.Connection,
    bl: BookmarkList,
    filters: list[tuple[CustomField, str, Any]],
    fields: list[CustomField],
) -> tuple[str, list[Any]]:
    """The statement (SQL, parameters) of the facets of `fields` under `filters`."""
    query = VideoFacetsQuery(
        filters=[Condition(field_id=f.id, op=op, value=v) for f, op, v in filters],
        fields=[field.id for field in fields],
    )
    statement = await video_facets.statement_of(conn, list_id=bl.id, query=query)
    assert statement is not None
    return statement


async def filtered_sql(
    conn: asyncpg.Connection,
    bl: BookmarkList,
    filters: list[tuple[CustomField, str, Any]],
    field: CustomField,
) -> str:
    """The SQL of the facet of `field` under `filters`."""
    return (await filtered_statement(conn, bl, filters, [field]))[0]


async def test_facets_match_a_brute_force_count(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(11)
    fields = [await make.field(bl.id, field_type) for field_type in field_types.TYPES]
    by_type = {field.field_type.value: field for field in fields}
    alive = [await make.video(bl.id) for _ in range(40)]
    truth: Truth = {}
    for video in alive:
        for field in fields:
            if rng.random() < 0.7:
                truth[(video.id, field.id)] = random_value(rng, field)
                await make.value(video, field, truth[(video.id, field.id)])
    other = await make.bookmark_list()  # another list's values count nowhere here
    other_field = await make.field(other.id, "select")
    await make.value(await make.video(other.id), other_field, "good")

    filter_sets: list[list[tuple[CustomField, str, Any]]] = [
        [],
        [(by_type["rating"], "gte", 3)],
        [(by_type["select"], "eq", "good")],
        [(by_type["boolean"], "eq", True), (by_type["select"], "in", ["good", "ok"])],
        [(by_type["multi_select"], "has_any", ["bad"])],
        [(by_type["text"], "is_empty", None)],
        [(by_type["date"], "before", "2015-06-01"), (by_type["rating"], "gte", 1)],
        [(by_type["select"], "eq", "good"), (by_type["select"], "eq", "bad")],  # contradiction
        # An equality's stream gives the matching videos, the other filters probed on them.
        [(by_type["rating"], "eq", 3)],
        [(by_type["select"], "eq", "good"), (by_type["text"], "is_empty", None)],
        # A number's or a date's range beside an equality, under the cap: read first.
        [(by_type["select"], "eq", "good"), (by_type["number"], "between", [0, 500])],
        [(by_type["date"], "after", "2015-06-01"), (by_type["boolean"], "eq", True)],
        # A text range: without an equality, read by its index (a prefix, a substring's
        # trigrams), or, no trigram in it, probed per video; beside one, sampled (below).
        [(by_type["url"], "starts_with", "https://example.com/1")],
        [(by_type["url"], "contains", "COM/2"), (by_type["rating"], "gte", 1)],
        [(by_type["text"], "contains", "a")],
        [(by_type["select"], "eq", "good"), (by_type["url"], "contains", "example.com/3")],
        # Ranges on one field that no value meets, and one past its config: no statement.
        [(by_type["rating"], "eq", 4), (by_type["rating"], "lt", 2)],
        [(by_type["rating"], "gt", 5), (by_type["boolean"], "is_not_empty", None)],
        # Presence alone: the field fewest videos hold is read from its value index.
        *(
            [(by_type[t], "is_not_empty", None), (by_type["select"], "is_not_empty", None)]
            for t in field_types.TYPES
            if t != "select"
        ),
        [(by_type["text"], "is_not_empty", None), (by_type["date"], "is_empty", None)],
    ]
    for filters in filter_sets:
        await check(conn, bl, fields, alive, truth, filters)
    # Driven by an equality, or read from the index of a range (a rating's, a number's under
    # RANGE_FIRST_CAP matches beside an equality) or of a text range, the statement reads no
    # video row; with none of those, the list's videos.
    beside = [(by_type["select"], "eq", "good"), (by_type["number"], "between", [0, 500])]
    prefix = [(by_type["url"], "starts_with", "https://example.com/1")]
    for filters, reads_videos in (
        ([(by_type["select"], "eq", "good")], False),
        ([(by_type["rating"], "gte", 3)], False),
        (beside, False),
        (prefix, False),
        ([(by_type["multi_select"], "has_any", ["bad"])], True),
        ([(by_type["text"], "is_not_empty", None), (by_type["url"], "is_not_empty", None)], False),
    ):
        sql = await filtered_sql(conn, bl, filters, by_type["rating"])
        assert ("FROM videos" in sql) == reads_videos
    # Unfiltered, the statement reads values only for a number's or a date's min and max (at
    # scale, the two ends of its value index: make bench); a number's avg is kept.
    for field_type in field_types.TYPES:
        query = VideoFacetsQuery(fields=[by_type[field_type].id])
        statement = await video_facets.statement_of(conn, list_id=bl.id, query=query)
        assert statement is not None
        values_read = await rows_read(conn, statement, "video_field_values")
        assert (values_read > 0) == (field_type in ("number", "date")), field_type

    # Updates, clears and deletes: the kept counts and the filtered counts follow.
    for video in rng.sample(alive, 10):
        field = rng.choice(fields)
        truth[(video.id, field.id)] = random_value(rng, field)
        await make.value(video, field, truth[(video.id, field.id)])
    for video in rng.sample(alive, 10):
        field = rng.choice(fields)
        await field_values.clear_one(conn, list_id=bl.id, video_id=video.id, field_id=field.id)
        truth.pop((video.id, field.id), None)
    for video in rng.sample(alive, 8):
        await videos.delete(conn, list_id=bl.id, video_id=video.id)
        alive.remove(video)
        for field in fields:
            truth.pop((video.id, field.id), None)
    for filters in filter_sets:
        await check(conn, bl, fields, alive, truth, filters)

    # A range beside an equality at RANGE_FIRST_CAP: the equality drives after all, alike.
    monkeypatch.setattr(video_search, "RANGE_FIRST_CAP", 1)
    await check(conn, bl, fields, alive, truth, beside)
    assert "FROM videos" not in await filtered_sql(conn, bl, beside, by_type["rating"])

    # A text range beside an equality, its sample sparse: its index reads the matching videos
    # (a prefix, a substring), the equality probed; dense, the equality's stream drives.
    for factor, reads_the_text in ((1e9, True), (0.0, False)):
        monkeypatch.setattr(video_search, "STREAM_FACTOR", factor)
        monkeypatch.setattr(video_search, "RANGE_READ_FACTOR", factor)
        monkeypatch.setattr(video_search, "STREAM_PROBE_DEPTH", 1)
        for op, operand, fragment in (
            ("contains", "example.com/3", "ILIKE"),
            ("starts_with", "https://example.com/2", 'COLLATE "C" LIKE'),
        ):
            filters = [(by_type["select"], "eq", "good"), (by_type["url"], op, operand)]
            await check(conn, bl, fields, alive, truth, filters)
            sql = await filtered_sql(conn, bl, filters, by_type["rating"])
            assert "FROM videos" not in sql
            assert (fragment in sql) == reads_the_text, (op, factor)


async def reads_run(conn: asyncpg.Connection, statement: tuple[str, list[Any]]) -> list[str]:
    """The reads of the matching videos' values that ran (facets_close), one per read: per_video,
    probed per video, or in_one_pass, the fields' values read at once (a multi_select's options
    are a read of their own)."""
    ran = []
    for node in await plan_nodes(conn, *statement, analyze=True):
        # A name used twice shows as name_1 at its second use.
        read = re.fullmatch(r"(per_video|in_one_pass)(_\d+)?", node.get("Alias", ""))
        if read and node.get("Actual Loops"):
            ran.append(read[1])
    return ran


async def ways_run(conn: asyncpg.Connection, statement: tuple[str, list[Any]]) -> set[str]:
    """Which ways of reading the matching videos' values ran: per_video, in_one_pass or both."""
    return set(await reads_run(conn, statement))


async def test_the_values_of_few_matching_videos_are_probed_and_of_many_read_at_once(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    """Up to a quarter of the list's videos (PROBED_SHARE), their values are probed video by
    video; more, read in one pass. Either way the counts are the brute force's."""
    assert video_facets.PROBED_SHARE == 4
    rng = random.Random(5)
    rating = await make.field(bl.id, "rating")
    others = [await make.field(bl.id, t) for t in ("select", "multi_select", "number", "date")]
    fields = [rating, *others]
    alive = [await make.video(bl.id) for _ in range(40)]
    truth: Truth = {}
    for number, video in enumerate(alive):
        # 6 videos rated 5 (under 40 / 4), 30 rated 1 or more (over it).
        stars = Decimal(5 if number < 6 else 1 + number % 4 if number < 30 else 0)
        truth[(video.id, rating.id)] = stars
        await make.value(video, rating, stars)
        for field in others:
            if rng.random() < 0.8:
                truth[(video.id, field.id)] = random_value(rng, field)
                await make.value(video, field, truth[(video.id, field.id)])
    for filters, way in (
        ([(rating, "eq", 5)], "per_video"),
        ([(rating, "gte", 1)], "in_one_pass"),
        ([(rating, "gte", 1), (others[2], "gte", -1000)], "in_one_pass"),
    ):
        await check(conn, bl, fields, alive, truth, filters)
        statement = await filtered_statement(conn, bl, filters, fields)
        assert await ways_run(conn, statement) == {way}, filters


async def test_a_rare_range_beside_an_equality_is_read_first_before_any_other_range(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, used_fragments: set[str]
) -> None:
    """Counted under the cap, the number's range gives the matching videos, whatever range
    comes before it (a rating's: read first, its every match would be); the counts are the
    brute force's."""
    select = await make.field(bl.id, "select")
    rating = await make.field(bl.id, "rating")
    number = await make.field(bl.id, "number")
    alive = [await make.video(bl.id) for _ in range(8)]
    truth: Truth = {}
    for index, video in enumerate(alive):
        for field, value in ((select, "good"), (rating, Decimal(3)), (number, Decimal(index))):
            truth[(video.id, field.id)] = value
            await make.value(video, field, value)
    filters = [(select, "eq", "good"), (rating, "gte", 1), (number, "between", [2, 4])]
    await check(conn, bl, [select, rating, number], alive, truth, filters)
    used_fragments.clear()
    await filtered_sql(conn, bl, filters, rating)
    assert "range_numeric_between" in used_fragments
    assert "range_numeric_gte" not in used_fragments


async def test_options_are_read_only_when_a_multi_select_is_asked_for(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    """A multi_select's options are a read of their own, by the same way as the other values
    (its index carries them); with no multi_select asked, that read is not even planned. The
    counts are the brute force's either way."""
    rating = await make.field(bl.id, "rating")
    topics = await make.field(bl.id, "multi_select")
    alive = [await make.video(bl.id) for _ in range(12)]
    truth: Truth = {}
    for number, video in enumerate(alive):
        truth[(video.id, rating.id)] = Decimal(5 if number < 2 else 1)
        await make.value(video, rating, truth[(video.id, rating.id)])
        if number % 3:
            truth[(video.id, topics.id)] = topics.config["options"][number % 3 :][:2]
            await make.value(video, topics, truth[(video.id, topics.id)])
    for filters, way in (([(rating, "eq", 5)], "per_video"), ([(rating, "gte", 1)], "in_one_pass")):
        for fields, reads in (([rating], 1), ([rating, topics], 2), ([topics], 1)):
            await check(conn, bl, fields, alive, truth, filters)
            statement = await filtered_statement(conn, bl, filters, fields)
            assert await reads_run(conn, statement) == [way] * reads, (filters, fields)


async def test_filtered_facets_plan_to_count_for_their_transaction(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    """Their semi-joins meet each video once: a cache by video would hold nothing (and its
    estimate of repeats hid the cost of probing 150,000 videos at 1M). And they group many
    values into few by hashing them (the planner had sorted them all)."""
    rating = await make.field(bl.id, "rating")
    await make.value(await make.video(bl.id), rating, 4)
    settings = "SELECT current_setting('enable_memoize'), current_setting('enable_sort')"
    defaults = tuple(await conn.fetchrow(settings))
    assert defaults == ("on", "on")
    async with conn.transaction():
        await video_facets.facets(conn, list_id=bl.id, query=VideoFacetsQuery(fields=[rating.id]))
        assert tuple(await conn.fetchrow(settings)) == defaults
        filtered = VideoFacetsQuery(
            fields=[rating.id], filters=[Condition(field_id=rating.id, op="gte", value=4)]
        )
        await video_facets.facets(conn, list_id=bl.id, query=filtered)
        assert tuple(await conn.fetchrow(settings)) == ("off", "off")
    assert tuple(await conn.fetchrow(settings)) == defaults  # for the transaction only


async def test_a_facet_of_a_list_without_videos_counts_zeros(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    fields = [await make.field(bl.id, field_type) for field_type in field_types.TYPES]
    query = VideoFacetsQuery(fields=[field.id for field in fields])
    found = await video_facets.facets(conn, list_id=bl.id, query=query)
    assert found.model_dump(mode="json") == brute_force(fields, [], {})


async def test_the_kept_counts_settle_presence_on_a_full_or_unused_field(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    # On a field every video holds (or none does), is_empty and is_not_empty hold for no video
    # or for all: the kept counts say so, and no statement walks the list to find it out.
    full, unused = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    status = await make.field(bl.id, "select")
    for i in range(3):
        video = await make.video(bl.id)
        await make.value(video, full, 4)
        if i:
            await make.value(video, status, "good")

    async def facets(*filters: tuple[CustomField, str]) -> tuple[int, list[str]]:
        query = VideoFacetsQuery(
            filters=[Condition(field_id=f.id, op=op) for f, op in filters], fields=[status.id]
        )
        statement = await video_facets.statement_of(conn, list_id=bl.id, query=query)
        found = await video_facets.facets(conn, list_id=bl.id, query=query)
        return found.total, [] if statement is None else [statement[0]]

    assert await facets((full, "is_empty")) == (0, [])
    assert await facets((unused, "is_not_empty")) == (0, [])
    # Holding for every video, the filters leave the unfiltered facets, from the kept counts.
    total, (sql,) = await facets((full, "is_not_empty"), (unused, "is_empty"))
    assert total == 3 and "field_value_counts" in sql and "WITH matching" not in sql
    total, (sql,) = await facets((full, "is_not_empty"), (status, "is_not_empty"))
    assert total == 2 and "WITH matching" in sql


async def test_a_field_asked_for_twice_is_answered_once(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id, "select")
    query = VideoFacetsQuery(fields=[field.id, field.id])
    assert len((await video_facets.facets(conn, list_id=bl.id, query=query)).facets) == 1


async def test_unknown_list_field_or_operator_is_refused(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id, "text")
    foreign = await make.field(other_list.id, "select")
    with pytest.raises(NotFound) as info:
        await video_facets.facets(
            conn, list_id=uuid.uuid4(), query=VideoFacetsQuery(fields=[field.id])
        )
    assert info.value.resource == "list"
    with pytest.raises(NotFound) as info:
        await video_facets.facets(conn, list_id=bl.id, query=VideoFacetsQuery(fields=[foreign.id]))
    assert (info.value.resource, info.value.resource_id) == ("custom field", foreign.id)
    bad_filter = Condition(field_id=field.id, op="gte", value=3)
    with pytest.raises(InvalidValue) as info:
        await video_facets.facets(
            conn, list_id=bl.id, query=VideoFacetsQuery(filters=[bad_filter], fields=[field.id])
        )
    assert info.value.problems[0].rule == "search_operator"


async def test_a_facet_is_one_snapshot_while_writers_move_values(
    pool: asyncpg.Pool, conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    # Writers move videos between ("good", 1 star) and ("bad", 5 stars), both values in one
    # transaction. Every facet read meanwhile, from the kept counts or from the rows, must
    # see each video whole: the select's counts equal the rating's.
    status, stars = await make.field(bl.id, "select"), await make.field(bl.id, "rating")
    made = [await make.video(bl.id) for _ in range(12)]
    for video in made:
        await make.value(video, status, "good")
        await make.value(video, stars, 1)
    stop = asyncio.Event()

    async def writer(seed: int) -> int:
        rng, moves = random.Random(seed), 0
        async with pool.acquire() as c:
            while not stop.is_set():
                video, bad = rng.choice(made), rng.random() < 0.5
                async with c.transaction():
                    for field, value in (
                        (status, "bad" if bad else "good"),
                        (stars, 5 if bad else 1),
                    ):
                        await field_values.set_one(
                            c, list_id=bl.id, video_id=video.id, value=value_of(field, value)
                        )
                moves += 1
        return moves

    writers = [asyncio.create_task(writer(seed)) for seed in (1, 2)]
    try:
        for round_ in range(30):
            filters = (
                []
                if round_ % 2
                else [Condition(field_id=status.id, op="in", value=["good", "bad"])]
            )
            query = VideoFacetsQuery(filters=filters, fields=[status.id, stars.id])
            found = await video_facets.facets(conn, list_id=bl.id, query=query)
            by_option = {c["value"]: c["count"] for c in found.facets[0].model_dump()["counts"]}
            by_star = {c["value"]: c["count"] for c in found.facets[1].model_dump()["counts"]}
            assert found.total == 12
            assert (by_option["good"], by_option["bad"]) == (by_star[1], by_star[5])
            assert by_option["good"] + by_option["bad"] == 12
            await asyncio.sleep(0)
    finally:
        stop.set()
        moves = await asyncio.gather(*writers)
    assert sum(moves) > 0


async def test_only_unfiltered_facets_are_planned_generically(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    rating = await make.field(bl.id, "rating")
    await make.value(await make.video(bl.id), rating, 4)
    async with conn.transaction():
        filtered = VideoFacetsQuery(
            fields=[rating.id], filters=[Condition(field_id=rating.id, op="gte", value=4)]
        )
        await video_facets.facets(conn, list_id=bl.id, query=filtered)
        assert await plan_mode(conn) == "force_custom_plan"  # what the filters match
        await video_facets.facets(conn, list_id=bl.id, query=VideoFacetsQuery(fields=[rating.id]))
        assert await plan_mode(conn) == "force_generic_plan"  # the kept counts, by ids
