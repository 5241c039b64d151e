"""Differential random testing of the video search: seeded random searches (1-3 conditions of
every operator of every type, every sort, pages of 1-3) under threshold settings that force
each execution path, each compared, all pages concatenated, against a brute-force evaluation
in Python of the same conditions and order (README, "API": ne/not_in/has_none hold only for
videos with a value; a sort by a field puts videos without a value last in both directions;
ties by id; contains ignores case, starts_with does not).

Strings are ordered as the database's collation orders them (asked once, for the titles and
the values a sort compares); everything else is decided in Python."""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, cast

import asyncpg
import pytest

from app import field_types
from app.models.custom_fields import CustomField
from app.models.lists import BookmarkList
from app.models.video_search import Condition, Op, Sort, VideoSearch
from app.models.videos import Video
from app.repositories import video_search
from tests.repositories.conftest import Builder

SEEDS = [11, 22, 33]
VIDEOS = 60
# Per seed: one search newest or oldest first per (field, operator); one per (field,
# operator) beside an equality on another field (which drives: the condition is probed);
# OWN_FIELD_OPS per field sorted by that field with a condition on it; this many of 2-3
# conditions that can drive (equalities, held values, text ranges: the driver is
# chosen among them), and this many random ones. Every search runs under every setting.
DRIVING_SEARCHES = 20
RANDOM_SEARCHES = 35
OWN_FIELD_OPS = 3
# None: the sort's default direction (desc for created_at, asc otherwise).
DIRECTIONS: list[Literal["asc", "desc"] | None] = ["asc", "desc", None]
# The operators that can drive a page, or be read as the values they hold.
DRIVING = ("eq", "in", "between", "ne", "not_in", "gt", "lte", "is_not_empty", "contains",
           "starts_with", "has_any", "has_all")  # fmt: skip

# Values held (drawn from) and values nobody holds (searched for only), by type.
RATINGS = [Decimal(n) / 2 for n in range(11)]  # 0 .. 5 by halves
RATINGS_UNHELD = [Decimal("2.25"), Decimal(6), Decimal(-1), Decimal("5.5")]
NUMBERS = [Decimal(n) for n in ("-5", "-2.5", "0", "0.01", "1", "3.25", "10", "42", "999.99")]
NUMBERS_UNHELD = [Decimal(n) for n in ("-100", "2", "5", "1000", "0.5", "-2.49")]
DATES = [date(2024, m, d) for m, d in ((1, 1), (1, 10), (2, 29), (3, 1), (6, 15), (12, 31))]
DATES_UNHELD = [date(2023, 12, 30), date(2024, 1, 2), date(2024, 7, 1), date(2030, 1, 1)]
SELECT_OPTIONS = ["good", "ok", "bad", "great", "meh"]
SELECT_HELD = ["good", "ok", "bad", "great"]  # "meh": nobody
TEXTS = [
    "Alpha",
    "alphabet",
    "ALPHA beta",
    "Beta",
    "gamma alpha",
    "b%eta_x",
    "under_score",
    "back\\slash",
    "a b",
    "Zeta",
    "zeta",
    "100% pure",
    "delta",
    "Ärger Über",
]
TEXTS_UNHELD = ["nothing", "alpha", "Gamma alpha"]
TEXT_CONTAINS = [
    "alpha", "ALP", "ta", "a b", "%", "_", "\\", "eta_", "zz", "e", "lph", "100%", "ET", "beta",
    "äRG", "über",
]  # fmt: skip
TEXT_STARTS = [
    "Al", "al", "A", "b%", "Z", "z", "gamma", "back\\", "nope", "under_", "a", "100%", "Är",
]  # fmt: skip
URLS = [
    "https://a.example/x",
    "http://b.example/alpha",
    "https://c.example/Beta?q=1",
    "https://a.example/y_z",
    "http://d.example/a%20b",
]
URLS_UNHELD = ["https://nope.example/", "https://A.example/x"]
URL_CONTAINS = ["example", "A.EXAMPLE", "alpha", "beta", "_", "%20", "zzz", "/x", "ht"]
URL_STARTS = ["https://", "http://", "https://a", "HTTP", "ftp", "http://d.example/a%"]
MULTI_OPTIONS = ["red", "green", "blue", "cyan", "black"]
MULTI_HELD = ["red", "green", "blue", "cyan"]  # "black": nobody

CONFIGS: dict[str, dict[str, Any]] = {
    "rating": {"max_rating": 5},
    "select": {"options": SELECT_OPTIONS},
    "text": {},
    "url": {},
    "boolean": {},
    "number": {"min": -100, "max": 1000, "decimals": 2},
    "date": {"min": "2000-01-01", "max": "2030-12-31"},
    "multi_select": {"options": MULTI_OPTIONS, "max_selected": 3},
}
TYPES = list(CONFIGS)
# One field of each type (named by its type, filled on a random share of the videos: one on
# all but 1-3, one on 1-3), and two more of a type drawn per seed: "full" on every video (its
# presence conditions are settled by the kept counts) and "empty" on none.
NAMES = [*TYPES, "full", "empty"]

# Threshold settings: each one forces (or leans towards) some path of video_search. "_plans"
# is not a threshold: each page's transaction first sets plan_cache_mode to it.
SETTINGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    # text ranges, number/date ranges and options conditions: always streamed ...
    "stream_always": {"STREAM_FACTOR": 0.0, "STREAM_PROBE_DEPTH": 100},
    "stream_sample_1": {"STREAM_FACTOR": 0.0, "STREAM_PROBE_DEPTH": 1},
    # ... always read from an index and sorted (the cap above every match) ...
    "read_always": {"STREAM_FACTOR": 1e9, "STREAM_PROBE_DEPTH": 1},
    "read_no_sample": {"STREAM_FACTOR": 1e9, "STREAM_PROBE_DEPTH": 0},
    # ... read up to a cap of one match, then streamed after all
    "read_past_cap": {"STREAM_FACTOR": 1e-6, "STREAM_PROBE_DEPTH": 0},
    "stream_factor_huge": {"STREAM_FACTOR": 1e9},
    # a rating's range, more held values than streams: walked / read / read past the cap
    "range_walk": {"MAX_STREAMS": 0, "RANGE_READ_FACTOR": 0.0},
    "range_read": {"MAX_STREAMS": 0, "RANGE_READ_FACTOR": 1e9, "RANGE_PROBE_DEPTH": 1},
    "range_read_no_sample": {"MAX_STREAMS": 0, "RANGE_READ_FACTOR": 1e9, "RANGE_PROBE_DEPTH": 0},
    "range_read_past_cap": {"MAX_STREAMS": 0, "RANGE_READ_FACTOR": 1e-6, "RANGE_PROBE_DEPTH": 0},
    # held values / "in" streams
    "max_streams_0": {"MAX_STREAMS": 0},
    "max_streams_1": {"MAX_STREAMS": 1},
    "max_streams_3": {"MAX_STREAMS": 3},
    # a number's or date's range beside an equality: never read first / always at its cap
    "range_first_never": {"RANGE_FIRST_CAP": 0},
    "range_first_at_cap_1": {"RANGE_FIRST_CAP": 1},
    # a text range beside an equality: read up to a cap of one match, then the equality drives
    "text_beside_past_cap": {
        "STREAM_FACTOR": 1e-6,
        "RANGE_READ_FACTOR": 1e-6,
        "STREAM_PROBE_DEPTH": 0,
    },
    # the driver among several equalities
    "probe_depth_1": {"PROBE_DEPTH": 1},
    "probe_depth_2": {"PROBE_DEPTH": 2},
    # an is_empty as a merge anti join: never / always
    "absent_never": {"ABSENT_DENSITY": 0.0},
    "absent_always": {"ABSENT_DENSITY": 1.01},
    "absent_always_max_streams_1": {"ABSENT_DENSITY": 1.01, "MAX_STREAMS": 1},
    # a sort by a field with an equality: hashed walk / sorted / walked past the cap, without
    # first trying the matches of the page's first value ...
    "sort_hashed": {"SORT_FEW_FACTOR": 0.0, "SORT_VALUE_FIRST_FACTOR": 0.0},
    "sort_few_all": {"SORT_FEW_FACTOR": 1e9, "SORT_VALUE_FIRST_FACTOR": 0.0},
    "sort_cap_1": {"SORT_CAP": 1, "SORT_VALUE_FIRST_FACTOR": 0.0},
    "sort_cap_3_hashed": {"SORT_CAP": 3, "SORT_FEW_FACTOR": 0.0, "SORT_VALUE_FIRST_FACTOR": 0.0},
    # ... and trying them, reading at most one page of the stream (mostly giving up) or many
    "sort_first_value_tight": {"SORT_VALUE_FIRST_FACTOR": 1.0, "SORT_FEW_FACTOR": 0.0},
    "sort_first_value_wide": {"SORT_VALUE_FIRST_FACTOR": 1e6},
    # every statement planned generically (the app's switches plan some so)
    "generic_plans": {"_plans": "force_generic_plan"},
    "generic_read_always": {
        "_plans": "force_generic_plan",
        "STREAM_FACTOR": 1e9,
        "STREAM_PROBE_DEPTH": 1,
        "MAX_STREAMS": 0,
        "RANGE_READ_FACTOR": 1e9,
        "RANGE_PROBE_DEPTH": 1,
        "ABSENT_DENSITY": 1.01,
        "SORT_FEW_FACTOR": 0.0,
    },
}


@dataclass
class World:
    list_id: uuid.UUID
    fields: dict[str, CustomField]  # by name (NAMES)
    kinds: dict[str, str]  # name -> field type
    videos: list[Video]
    values: dict[uuid.UUID, dict[str, Any]]  # video id -> name -> value (absent: none)
    rank: dict[str, int]  # string -> its place in the database's collation


@dataclass(frozen=True)
class Search:
    conditions: tuple[tuple[str, str, Any], ...]  # (field name, op, value)
    by: str  # "created_at", "title" or a field name
    direction: Literal["asc", "desc"] | None
    limit: int

    def query(self, world: World) -> VideoSearch:
        by = self.by if self.by in ("created_at", "title") else str(world.fields[self.by].id)
        return VideoSearch(
            filters=[
                Condition(field_id=world.fields[name].id, op=cast(Op, op), value=value)
                for name, op, value in self.conditions
            ],
            sort=Sort(by=by, direction=self.direction),
            limit=self.limit,
        )

    def __str__(self) -> str:
        return (
            f"conditions={list(self.conditions)} by={self.by} direction={self.direction}"
            f" limit={self.limit}"
        )


# ------------------------------------------------------------------------------------------
# The data
# ------------------------------------------------------------------------------------------


def _fill_plan(rng: random.Random) -> dict[str, list[bool]]:
    """Which videos hold a value of each field."""
    types = TYPES[:]
    rng.shuffle(types)
    plan: dict[str, list[bool]] = {"full": [True] * VIDEOS, "empty": [False] * VIDEOS}
    for number, t in enumerate(types):
        if number == 0:  # all videos but 1-3
            missing = set(rng.sample(range(VIDEOS), rng.randint(1, 3)))
            plan[t] = [i not in missing for i in range(VIDEOS)]
        elif number == 1:  # very few
            few = set(rng.sample(range(VIDEOS), rng.randint(1, 3)))
            plan[t] = [i in few for i in range(VIDEOS)]
        else:
            share = rng.uniform(0.15, 0.95)
            plan[t] = [rng.random() < share for _ in range(VIDEOS)]
    return plan


def _random_value(rng: random.Random, t: str) -> Any:
    if t == "boolean":
        return rng.random() < 0.5
    if t == "multi_select":
        return rng.sample(MULTI_HELD, rng.randint(1, 3))
    return rng.choice(POOLS[t][0])


async def build_world(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, rng: random.Random
) -> World:
    kinds = {t: t for t in TYPES} | {"full": rng.choice(TYPES), "empty": rng.choice(TYPES)}
    fields = {
        name: await make.field(bl.id, kinds[name], config=CONFIGS[kinds[name]]) for name in NAMES
    }
    # Titles with duplicates (ties broken by id); videos inserted by one statement share their
    # created_at (ties broken by id as well).
    titles = [f"t{number:02d}" for number in range(VIDEOS)]
    for number in rng.sample(range(VIDEOS), 8):
        titles[number] = rng.choice(["dup", "Dup", "dup b"])
    created: list[Video] = []
    while len(created) < VIDEOS:
        batch = min(rng.choice([1, 1, 1, 1, 2, 3]), VIDEOS - len(created))
        rows = await conn.fetch(
            "INSERT INTO videos (list_id, youtube_id, title)"
            " SELECT $1, left(md5(random()::text), 11), t FROM unnest($2::text[]) AS t"
            " RETURNING *",
            bl.id,
            titles[len(created) : len(created) + batch],
        )
        created += [Video.from_row(row) for row in rows]
    plan = _fill_plan(rng)
    for index, video in enumerate(created):
        for name in NAMES:
            if plan[name][index]:
                value = _random_value(rng, kinds[name])
                await make.value(video, fields[name], _stored(value))
    # Another list with values of its own: none of them may leak into this list's pages.
    other = await make.bookmark_list()
    other_fields = {t: await make.field(other.id, t, config=CONFIGS[t]) for t in TYPES}
    for _ in range(5):
        video = await make.video(other.id, title="other")
        for t in TYPES:
            await make.value(video, other_fields[t], _stored(_random_value(rng, t)))
    # The values as the database holds them (a multi_select's array in its stored order).
    by_field = {f.id: name for name, f in fields.items()}
    values: dict[uuid.UUID, dict[str, Any]] = {v.id: {} for v in created}
    for row in await conn.fetch(
        "SELECT video_id, field_id, value_text, value_numeric, value_boolean, value_date,"
        " value_options FROM video_field_values WHERE list_id = $1",
        bl.id,
    ):
        name = by_field[row["field_id"]]
        values[row["video_id"]][name] = row[field_types.spec(kinds[name]).column]
    for index, video in enumerate(created):
        assert set(values[video.id]) == {name for name in NAMES if plan[name][index]}
    strings = {v.title for v in created}
    for held in values.values():
        for value in held.values():
            if isinstance(value, str):
                strings.add(value)
            elif isinstance(value, list):
                strings.update(value)
    ordered = await conn.fetch("SELECT s FROM unnest($1::text[]) AS s ORDER BY s", list(strings))
    rank = {row["s"]: number for number, row in enumerate(ordered)}
    return World(bl.id, fields, kinds, created, values, rank)


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------------------------------------
# Random searches
# ------------------------------------------------------------------------------------------

POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "rating": (RATINGS, RATINGS_UNHELD),
    "number": (NUMBERS, NUMBERS_UNHELD),
    "date": (DATES, DATES_UNHELD),
    "select": (SELECT_HELD, ["meh"]),
    "text": (TEXTS, TEXTS_UNHELD),
    "url": (URLS, URLS_UNHELD),
    "multi_select": (MULTI_HELD, ["black"]),
}


def _pick(rng: random.Random, t: str) -> Any:
    held, unheld = POOLS[t]
    return rng.choice(unheld) if rng.random() < 0.2 else rng.choice(held)


def _as_search_value(rng: random.Random, value: Any) -> Any:
    """A value as a client sends it: a number as a JSON number, sometimes as a string (with
    trailing zeros or an exponent), a date as YYYY-MM-DD."""
    if isinstance(value, Decimal):
        roll = rng.random()
        if roll < 0.15:
            return f"{value:.3f}"
        if roll < 0.2:
            return f"{value:E}"
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def random_condition(
    rng: random.Random, world_kinds: dict[str, str], name: str, op: str | None = None
) -> tuple[str, str, Any]:
    t = world_kinds[name]
    op = op or rng.choice(list(field_types.TYPES[field_types.FieldType(t)].operators))
    if op in ("is_empty", "is_not_empty"):
        return name, op, None
    if t == "boolean":
        return name, op, rng.random() < 0.5
    if op == "between":
        low = _pick(rng, t)
        high = low if rng.random() < 0.3 else _pick(rng, t)
        low, high = min(low, high), max(low, high)
        return name, op, [_as_search_value(rng, low), _as_search_value(rng, high)]
    if op in ("in", "not_in", "has_any", "has_all", "has_none"):
        options = SELECT_OPTIONS if t == "select" else MULTI_OPTIONS
        return name, op, rng.sample(options, rng.choice([1, 1, 2, 2, 3, len(options)]))
    if op == "contains":
        return name, op, rng.choice(TEXT_CONTAINS if t == "text" else URL_CONTAINS)
    if op == "starts_with":
        return name, op, rng.choice(TEXT_STARTS if t == "text" else URL_STARTS)
    return name, op, _as_search_value(rng, _pick(rng, t))


def single_searches(rng: random.Random, kinds: dict[str, str]) -> list[Search]:
    """One search newest or oldest first per (field, operator) with a random value: the shape
    that takes the most paths (streams, reads, held values, the anti join)."""
    return [
        Search(
            (random_condition(rng, kinds, name, op),),
            "created_at",
            rng.choice(DIRECTIONS),
            rng.randint(1, 3),
        )
        for name in NAMES
        for op in field_types.TYPES[field_types.FieldType(kinds[name])].operators
    ]


def probed_searches(rng: random.Random, kinds: dict[str, str]) -> list[Search]:
    """One search per (field, operator) beside an equality on another field, sorted by
    created_at or a field: the condition is probed per video the equality's stream reads."""
    searches = []
    for name in NAMES:
        for op in field_types.TYPES[field_types.FieldType(kinds[name])].operators:
            other = rng.choice([n for n in NAMES if n != name and kinds[n] != "multi_select"])
            equality = random_condition(rng, kinds, other, "eq")
            conditions = [random_condition(rng, kinds, name, op), equality]
            rng.shuffle(conditions)
            by = "created_at" if rng.random() < 0.6 else rng.choice(NAMES)
            searches.append(
                Search(tuple(conditions), by, rng.choice(DIRECTIONS), rng.randint(1, 3))
            )
    return searches


def own_field_searches(rng: random.Random, kinds: dict[str, str]) -> list[Search]:
    """Searches sorted by a field with a condition on that field (OWN_FIELD_OPS operators of
    each, drawn per seed), alone or beside an equality on another field: the condition is
    checked on the row the field's value index walks (sorted_*), and is_empty reads only the
    videos without a value. Every operator of every type runs so in test_video_search.py."""
    searches = []
    for name in NAMES:
        ops = list(field_types.TYPES[field_types.FieldType(kinds[name])].operators)
        for op in rng.sample(ops, min(OWN_FIELD_OPS, len(ops))):
            conditions = [random_condition(rng, kinds, name, op)]
            if rng.random() < 0.4:
                other = rng.choice([n for n in NAMES if n != name and kinds[n] != "multi_select"])
                conditions.append(random_condition(rng, kinds, other, "eq"))
            searches.append(
                Search(tuple(conditions), name, rng.choice(DIRECTIONS), rng.randint(1, 3))
            )
    return searches


def driving_search(rng: random.Random, kinds: dict[str, str]) -> Search:
    """2-3 conditions, each of an operator that can drive where its field's type takes one."""
    conditions = []
    for _ in range(rng.choice([2, 2, 3])):
        name = rng.choice(NAMES)
        ops = field_types.TYPES[field_types.FieldType(kinds[name])].operators
        op = rng.choice([op for op in ops if op in DRIVING] or list(ops))
        conditions.append(random_condition(rng, kinds, name, op))
    by = "created_at" if rng.random() < 0.6 else rng.choice(NAMES)
    return Search(tuple(conditions), by, rng.choice(DIRECTIONS), rng.randint(1, 3))


def random_search(rng: random.Random, kinds: dict[str, str]) -> Search:
    names = [rng.choice(NAMES)]
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        # conditions on one field meet (contradictions, two ranges) often enough
        names.append(rng.choice(names) if rng.random() < 0.3 else rng.choice(NAMES))
    conditions = tuple(random_condition(rng, kinds, name) for name in names)
    roll = rng.random()
    if roll < 0.55:
        by = "created_at"
    elif roll < 0.65:
        by = "title"
    else:
        by = rng.choice(NAMES)
    direction = rng.choice(DIRECTIONS)
    return Search(conditions, by, direction, rng.randint(1, 3))


# ------------------------------------------------------------------------------------------
# The brute force
# ------------------------------------------------------------------------------------------


def holds(t: str, op: str, arg: Any, value: Any) -> bool:
    """Whether a video's value (None: it has none) of a field of type t matches op arg."""
    if op == "is_empty":
        return value is None
    if value is None:
        return False
    if op == "is_not_empty":
        return True
    if t in ("rating", "number"):
        read: Callable[[Any], Any] = lambda x: Decimal(str(x))  # noqa: E731
    elif t == "date":
        read = date.fromisoformat
    else:
        read = lambda x: x  # noqa: E731
    if op == "between":
        return bool(read(arg[0]) <= value <= read(arg[1]))
    if op == "in":
        return value in arg
    if op == "not_in":
        return value not in arg
    if op == "has_any":
        return bool(set(value) & set(arg))
    if op == "has_all":
        return set(arg) <= set(value)
    if op == "has_none":
        return not set(value) & set(arg)
    if op == "contains":
        return arg.lower() in value.lower()
    if op == "starts_with":
        return bool(value.startswith(arg))
    x = read(arg)
    compare: dict[str, Callable[[], bool]] = {
        "eq": lambda: value == x,
        "ne": lambda: value != x,
        "gt": lambda: value > x,
        "after": lambda: value > x,
        "gte": lambda: value >= x,
        "on_or_after": lambda: value >= x,
        "lt": lambda: value < x,
        "before": lambda: value < x,
        "lte": lambda: value <= x,
        "on_or_before": lambda: value <= x,
    }
    return bool(compare[op]())


def _sort_key(world: World, value: Any) -> Any:
    if isinstance(value, str):
        return world.rank[value]
    if isinstance(value, list):  # text[] compares element by element, then by length
        return [world.rank[option] for option in value]
    return value


def expected(world: World, search: Search) -> list[Video]:
    found = [
        v
        for v in world.videos
        if all(
            holds(world.kinds[name], op, arg, world.values[v.id].get(name))
            for name, op, arg in search.conditions
        )
    ]
    if search.by in ("created_at", "title"):
        direction = search.direction or ("desc" if search.by == "created_at" else "asc")
        if search.by == "created_at":
            found.sort(key=lambda v: (v.created_at, v.id))
        else:
            found.sort(key=lambda v: (world.rank[v.title], v.id))
        return found[::-1] if direction == "desc" else found
    direction = search.direction or "asc"
    name = search.by
    valued = sorted(
        (v for v in found if name in world.values[v.id]),
        key=lambda v: (_sort_key(world, world.values[v.id][name]), v.created_at, v.id),
    )
    unvalued = sorted((v for v in found if name not in world.values[v.id]), key=lambda v: v.id)
    if direction == "desc":
        valued.reverse()
        unvalued.reverse()
    return valued + unvalued


# ------------------------------------------------------------------------------------------
# The search, page by page
# ------------------------------------------------------------------------------------------


async def all_pages(
    conn: asyncpg.Connection, world: World, query: VideoSearch, plans: str | None
) -> tuple[list[Video], list[str]]:
    """Every page's videos, following next_cursor, each page in a transaction as the app
    runs it; with what went wrong with the paging itself (repeats, short pages ...)."""
    seen: list[Video] = []
    problems: list[str] = []
    for _ in range(VIDEOS + 5):
        async with conn.transaction():
            if plans is not None:
                await conn.execute(f"SET LOCAL plan_cache_mode = {plans}")
            page = await video_search.search(conn, list_id=world.list_id, query=query)
        if page.next_cursor is not None and len(page.items) != query.limit:
            problems.append(f"a page of {len(page.items)} (limit {query.limit}) has a next_cursor")
        seen += page.items
        if page.next_cursor is None:
            break
        query = query.model_copy(update={"cursor": page.next_cursor})
    else:
        problems.append("more pages than videos")
    ids = [v.id for v in seen]
    if len(ids) != len(set(ids)):
        problems.append("a video repeats across pages")
    return seen, problems


@dataclass
class Mismatch:
    seed: int
    search: Search
    setting: str
    expected: list[str]
    got: list[str]
    problems: list[str]
    fragments: list[str]

    def __str__(self) -> str:
        return (
            f"seed={self.seed} setting={self.setting} {SETTINGS[self.setting]}\n"
            f"  {self.search}\n  expected={self.expected}\n  got     ={self.got}\n"
            f"  problems={self.problems}\n  fragments={self.fragments}"
        )


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_searches_match_a_brute_force_under_every_setting(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    used_fragments: set[str],
    seed: int,
) -> None:
    rng = random.Random(seed)
    world = await build_world(conn, make, bl, rng)
    used = used_fragments  # cleared before each search
    mismatches: list[Mismatch] = []
    combinations = 0
    all_used: set[str] = set()
    searches = single_searches(rng, world.kinds)
    searches += probed_searches(rng, world.kinds)
    searches += own_field_searches(rng, world.kinds)
    searches += [driving_search(rng, world.kinds) for _ in range(DRIVING_SEARCHES)]
    searches += [random_search(rng, world.kinds) for _ in range(RANDOM_SEARCHES)]
    for search in searches:
        want = expected(world, search)
        for setting, overrides in SETTINGS.items():
            used.clear()
            with pytest.MonkeyPatch.context() as patch:
                for name, value in overrides.items():
                    if not name.startswith("_"):
                        assert hasattr(video_search, name), name
                        patch.setattr(video_search, name, value)
                try:
                    got, problems = await all_pages(
                        conn, world, search.query(world), overrides.get("_plans")
                    )
                except Exception as error:  # reported with the search
                    got, problems = [], [f"{type(error).__name__}: {error}"]
            combinations += 1
            all_used |= used
            if [v.id for v in got] != [v.id for v in want] or problems:
                mismatches.append(
                    Mismatch(
                        seed,
                        search,
                        setting,
                        [v.title for v in want],
                        [v.title for v in got],
                        problems,
                        sorted(used),
                    )
                )
    locale = await conn.fetchval(
        "SELECT datcollate || '/' || datctype FROM pg_database WHERE datname = current_database()"
    )
    print(
        f"\nseed {seed}: {len(searches)} searches x {len(SETTINGS)} settings ="
        f" {combinations} combinations, {len(mismatches)} mismatches"
        f" (full: {world.kinds['full']}, empty: {world.kinds['empty']}, collate/ctype {locale})"
    )
    print(f"fragments never used: {sorted(set(video_search.SQL) - all_used)}")
    for mismatch in mismatches:
        print(mismatch)
    assert not mismatches, f"{len(mismatches)} of {combinations} combinations differ"
