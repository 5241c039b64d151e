"""The same work timed through each layer, interleaved round by round so that drift (cache,
autovacuum, CPU frequency) hits every layer alike: bare asyncpg running the repository's SQL,
the repository function, and the HTTP API served by uvicorn on loopback."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg

from app.db import plans
from app.models.field_values import BulkEdit, BulkValueSet, FieldValueSet
from app.repositories import field_values, video_facets, video_search, videos
from app.tokens import DAY_S, issue_token
from bench.cases import Case, batch_rows
from bench.data import BENCH_OWNER, BenchData, connect_as

ROOT = Path(__file__).resolve().parents[1]
# Besides every search case.
TIMED = ("fields_of_video", "newest_page", "values_of_page", "set_one_value", "set_batch_1000")
# A case slower than its goal by far (a full walk of the list) is timed for this long at most
# per layer and round, so that `make bench` at 1M still ends in minutes.
BUDGET_S = 1.5
# The product cuts a statement at 5 s (a 503); the bench measures how long it really takes.
STATEMENT_TIMEOUT_MS = 60_000
# The app under the bench checks tokens signed with this; a fresh one per run.
JWT_SECRET = os.urandom(32).hex()
# The bare SQL again as the owning role, which row-level security does not restrict: the
# product's cost of RLS is asyncpg over this layer.
NO_RLS = "asyncpg_no_rls"

# (connection or client, iteration) -> one request
Call = Callable[[Any, int], Awaitable[Any]]


@dataclass
class Layered:
    name: str
    calls: dict[str, Call]  # layer -> call
    values_per_call: int = 1


async def _plan_as_the_app(
    layer: str, resources: list[Any], generic: bool, counting: bool = False
) -> None:
    """Bare SQL planned as the repository plans it (for its values, or once generically; to
    count or not); the repository switches by itself (app/db/plans.py), and leaves the
    switches on a connection outside a transaction, so each run starts from the connection's
    defaults."""
    if layer == "api":
        return
    bare = layer != "repository"
    for conn in resources:
        await conn.execute(
            "SET plan_cache_mode = force_generic_plan"
            if generic and bare
            else "RESET plan_cache_mode"
        )
        await conn.execute("RESET enable_memoize; RESET enable_sort")
        if counting and bare:
            await plans.plan_to_count(conn)  # outside a transaction: for the connection


def _planned(case: Case) -> tuple[bool, bool]:
    """How the app plans the case's statement: (generically, to count)."""
    return case.generic, case.counting


def _stats(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "n": len(ordered),
        "p50_ms": round(pick(0.50), 3),
        "p95_ms": round(pick(0.95), 3),
        "p99_ms": round(pick(0.99), 3),
        "req_per_s": round(len(ordered) / wall, 1) if wall else 0.0,
    }


async def _call(c: aiohttp.ClientSession, method: str, path: str, **kwargs: Any) -> None:
    """One API request, its body read as a client's would be; an error status raises."""
    async with c.request(method, path, **kwargs) as r:
        await r.read()
        r.raise_for_status()


def _search(data: BenchData, case: Case) -> dict[str, Call]:
    sql, params, search = case.sql, case.params, case.search
    assert search is not None
    body = search.model_dump(mode="json")
    list_id = data.list_id

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(sql, *params)

    async def repo(c: Any, i: int) -> Any:
        return await video_search.search(c, list_id=list_id, query=search)

    async def api(c: Any, i: int) -> Any:
        await _call(c, "POST", f"/lists/{list_id}/videos/search", json=body)

    if sql is None:  # contradicting conditions: the repository runs no search statement
        return {"repository": repo, "api": api}
    return {"asyncpg": bare, "repository": repo, "api": api}


def _facets(data: BenchData, case: Case) -> dict[str, Call]:
    sql, params, query = case.sql, case.params, case.facets
    assert query is not None and sql is not None
    body = query.model_dump(mode="json")
    list_id = data.list_id

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(sql, *params)

    async def repo(c: Any, i: int) -> Any:
        return await video_facets.facets(c, list_id=list_id, query=query)

    async def api(c: Any, i: int) -> Any:
        await _call(c, "POST", f"/lists/{list_id}/videos/facets", json=body)

    return {"asyncpg": bare, "repository": repo, "api": api}


def _fields_of_video(data: BenchData, case: Case) -> dict[str, Call]:
    list_id, sample = data.list_id, data.sample_videos

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(case.sql, list_id, sample[i % len(sample)])

    async def repo(c: Any, i: int) -> Any:
        video_id = sample[i % len(sample)]
        return await field_values.fields_of_video(c, list_id=list_id, video_id=video_id)

    async def api(c: Any, i: int) -> Any:
        await _call(c, "GET", f"/lists/{list_id}/videos/{sample[i % len(sample)]}/fields")

    return {"asyncpg": bare, "repository": repo, "api": api}


def _newest_page(data: BenchData, case: Case) -> dict[str, Call]:
    list_id = data.list_id

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(case.sql, list_id, 51)

    async def repo(c: Any, i: int) -> Any:
        return await videos.list_newest(c, list_id=list_id, limit=50)

    async def api(c: Any, i: int) -> Any:
        await _call(c, "GET", f"/lists/{list_id}/videos", params={"limit": 50})

    return {"asyncpg": bare, "repository": repo, "api": api}


def _values_of_page(case: Case) -> dict[str, Call]:
    """The one statement include_fields adds to a page (its repository and API cost are in
    search_rating_eq_with_5_fields)."""

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(case.sql, *case.params)

    return {"asyncpg": bare}


def _set_one(data: BenchData, case: Case) -> dict[str, Call]:
    list_id, sample, rating = data.list_id, data.sample_videos, data.fields["Rating"]
    # Every call changes the value it sets, whichever layer makes it (1..5 in turn per video):
    # the layers repeat each other's iterations, and one setting the value the layer before it
    # had just set would skip the counts' change that one paid for.
    last_set: dict[int, int] = {}

    def target(i: int) -> tuple[UUID, int]:
        slot = i % len(sample)
        last_set[slot] = last_set.get(slot, 0) % 5 + 1
        return sample[slot], last_set[slot]

    async def bare(c: Any, i: int) -> Any:
        video_id, value = target(i)
        return await c.fetch(
            case.sql, list_id, video_id, rating, None, Decimal(value), None, None, None
        )

    async def repo(c: Any, i: int) -> Any:
        video_id, value = target(i)
        edit = FieldValueSet(field_id=rating, value_numeric=Decimal(value))
        return await field_values.set_one(c, list_id=list_id, video_id=video_id, value=edit)

    async def api(c: Any, i: int) -> Any:
        video_id, value = target(i)
        path = f"/lists/{list_id}/videos/{video_id}/fields/{rating}"
        await _call(c, "PUT", path, json={"value_numeric": value})

    return {"asyncpg": bare, "repository": repo, "api": api}


def _set_batch(data: BenchData, case: Case, size: int) -> dict[str, Call]:
    list_id = data.list_id
    batches = max(1, len(data.batch_videos) // size)
    # As in _set_one, every call changes each value it sets: a batch's next call shifts its
    # ratings by one (five shifts in turn), whichever layer makes it.
    shifts = 5
    last_shift: dict[int, int] = {}

    def target(i: int) -> tuple[int, int]:
        batch = i % batches
        last_shift[batch] = (last_shift.get(batch, 0) + 1) % shifts
        return batch, last_shift[batch]

    def rows(batch: int, shift: int) -> list[list[Any]]:
        return batch_rows(data, batch * size, size, shift)

    async def bare(c: Any, i: int) -> Any:
        return await c.fetch(case.sql, list_id, *rows(*target(i)))

    def edit(batch: int, shift: int) -> BulkEdit:
        ids, fids, _, nums, *_ = rows(batch, shift)
        return BulkEdit(
            set=[
                BulkValueSet(video_id=v, field_id=f, value_numeric=n)
                for v, f, n in zip(ids, fids, nums, strict=True)
            ]
        )

    # The repository's input is built before the timing: in the product the API's validation
    # builds it from the body, and the API layer's figure holds that (~3-5 ms per 1,000 items).
    edits = {(b, s): edit(b, s) for b in range(batches) for s in range(shifts)}

    async def repo(c: Any, i: int) -> Any:
        return await field_values.bulk_edit(c, list_id=list_id, edit=edits[target(i)])

    async def api(c: Any, i: int) -> Any:
        ids, fids, _, nums, *_ = rows(*target(i))
        body = {
            "set": [
                {"video_id": str(v), "field_id": str(f), "value_numeric": int(n)}
                for v, f, n in zip(ids, fids, nums, strict=True)
            ]
        }
        await _call(c, "POST", f"/lists/{list_id}/values", json=body)

    return {"asyncpg": bare, "repository": repo, "api": api}


def layered(data: BenchData, cases: dict[str, Case]) -> list[Layered]:
    out = [Layered(name, _search(data, case)) for name, case in cases.items() if case.search]
    out += [Layered(name, _facets(data, case)) for name, case in cases.items() if case.facets]
    for name in TIMED:
        case = cases[name]
        if name == "fields_of_video":
            out.append(Layered(name, _fields_of_video(data, case)))
        elif name == "newest_page":
            out.append(Layered(name, _newest_page(data, case)))
        elif name == "values_of_page":
            out.append(Layered(name, _values_of_page(case)))
        elif name == "set_one_value":
            out.append(Layered(name, _set_one(data, case)))
        elif name == "set_batch_1000":
            size = min(1000, len(data.batch_videos))
            out.append(Layered(name, _set_batch(data, case, size), size))
    for item in out:  # the same SQL without row-level security, beside each bare call
        if "asyncpg" in item.calls:
            item.calls = {"asyncpg": item.calls["asyncpg"], NO_RLS: item.calls["asyncpg"]} | {
                layer: call for layer, call in item.calls.items() if layer != "asyncpg"
            }
    return out


async def _run(call: Call, resources: list[Any], n: int, start: int) -> tuple[list[float], float]:
    """n calls spread over len(resources) concurrent workers (fewer when BUDGET_S runs out);
    latencies and wall time."""
    latencies: list[float] = []
    counter = iter(range(start, start + n))
    deadline = time.perf_counter() + BUDGET_S

    async def worker(resource: Any) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            t = time.perf_counter()
            await call(resource, i)
            latencies.append(time.perf_counter() - t)

    began = time.perf_counter()
    await asyncio.gather(*(worker(r) for r in resources))
    return latencies, time.perf_counter() - began


async def _run_paired(
    call: Call, first: Any, second: Any, n: int, start: int
) -> tuple[list[float], list[float], float]:
    """n calls on each of two connections, alternating call by call (which goes first swaps
    each time), so that drift hits both alike: latencies of each and the wall time of both."""
    latencies: tuple[list[float], list[float]] = ([], [])
    deadline = time.perf_counter() + 2 * BUDGET_S
    began = time.perf_counter()
    for i in range(start, start + n):
        if time.perf_counter() > deadline:
            break
        for side in (0, 1) if i % 2 == 0 else (1, 0):
            t = time.perf_counter()
            await call((first, second)[side], i)
            latencies[side].append(time.perf_counter() - t)
    return latencies[0], latencies[1], time.perf_counter() - began


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def api_server(url: str, pool_size: int) -> AsyncIterator[str]:
    """uvicorn serving the app on the bench database, on a free loopback port."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "DB_POOL_MAX_SIZE": str(pool_size),
        "DB_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
        "AUTH_JWT_SECRET": JWT_SECRET,
    }
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before any timing
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base_url=base) as client:
            for _ in range(200):
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.get("/health") as r:
                        if r.status == 200:
                            break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("uvicorn did not answer /health")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def run(
    data: BenchData,
    cases: dict[str, Case],
    *,
    iterations: int,
    rounds: int,
    concurrency: int,
    http: bool,
) -> list[dict[str, Any]]:
    """Per query, layer and concurrency (1 and `concurrency`): latency percentiles and req/s."""
    levels = sorted({1, concurrency})
    # Set up like the app's pool (plan_cache_mode above all), or the layers would not compare.
    # Each layer on connections of its own: the repository leaves state on a connection (its
    # plan switches, its prepared statements) that slowed the bare SQL run on it next (under
    # RLS, rating_eq 0.29 -> 0.43 ms at 100k), which the no-RLS layer, on its own, was spared.
    conns = {
        layer: [
            await connect_as(data, rls=layer != NO_RLS, statement_timeout_ms=STATEMENT_TIMEOUT_MS)
            for _ in range(concurrency)
        ]
        for layer in ("asyncpg", NO_RLS, "repository")
    }
    results: list[dict[str, Any]] = []
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = None
            if http:
                base = await stack.enter_async_context(api_server(data.url, concurrency))
                client = await stack.enter_async_context(
                    aiohttp.ClientSession(
                        base_url=base,
                        headers={
                            "Authorization": f"Bearer {issue_token(JWT_SECRET, BENCH_OWNER, DAY_S)}"
                        },
                        timeout=aiohttp.ClientTimeout(total=30),
                        connector=aiohttp.TCPConnector(limit=concurrency),
                    )
                )
            for item in layered(data, cases):
                layers = [layer for layer in item.calls if layer != "api" or http]
                per_round = max(1, iterations // rounds)
                if item.values_per_call > 1:  # a 1,000-value batch: fewer, heavier calls
                    per_round = max(1, per_round // 10)
                for level in levels:
                    _same_core([conns[layer][0] for layer in conns], share=level == 1)
                    lat: dict[str, list[float]] = {layer: [] for layer in layers}
                    wall: dict[str, float] = dict.fromkeys(layers, 0.0)
                    for layer in layers:  # warm-up
                        res = _resources(layer, level, client, conns)
                        await _plan_as_the_app(layer, res, *_planned(cases[item.name]))
                        await _run(item.calls[layer], res, min(per_round, 5), 0)
                    # RLS on/off is a ratio of two layers running the same SQL: one call of
                    # each in turn (at concurrency 1, where it is reported), not a block each.
                    paired = level == 1 and NO_RLS in layers
                    for r in range(rounds):
                        for layer in layers:
                            if paired and layer == NO_RLS:
                                continue  # timed beside asyncpg
                            res = _resources(layer, level, client, conns)
                            await _plan_as_the_app(layer, res, *_planned(cases[item.name]))
                            if paired and layer == "asyncpg":
                                no_rls = _resources(NO_RLS, level, client, conns)
                                await _plan_as_the_app(NO_RLS, no_rls, *_planned(cases[item.name]))
                                with_rls, without, seconds = await _run_paired(
                                    item.calls[layer], res[0], no_rls[0], per_round, r * per_round
                                )
                                lat[layer] += with_rls
                                lat[NO_RLS] += without
                                wall[layer] += seconds / 2
                                wall[NO_RLS] += seconds / 2
                                continue
                            got, seconds = await _run(
                                item.calls[layer], res, per_round, r * per_round
                            )
                            lat[layer] += got
                            wall[layer] += seconds
                    for layer in layers:
                        stats = _stats(lat[layer], wall[layer])
                        if item.values_per_call > 1:
                            stats["values_per_s"] = round(
                                item.values_per_call / (stats["p50_ms"] / 1000), 1
                            )
                        results.append(
                            {"query": item.name, "layer": layer, "concurrency": level, **stats}
                        )
                    print(f"  timed {item.name} at concurrency {level}", file=sys.stderr)
    finally:
        for conn in [c for layer_conns in conns.values() for c in layer_conns]:
            await conn.close()
    return results


def _same_core(conns: list[asyncpg.Connection], *, share: bool = True) -> None:
    """Run the server processes of these connections on one core (the last), or again on any
    (share=False), where the machine allows it. The layers compared at concurrency 1 each
    call through a connection of its own, and on two cores where a backend landed, beside the
    bench's own process or not, made one layer 1.3x another for a whole run and not in the
    next (RLS on/off of rating_eq 1.32x, then 1.03x); on one core, three runs held it at
    1.05-1.06x."""
    cores = sorted(os.sched_getaffinity(0))
    for conn in conns:
        pid = conn.get_server_pid()
        with contextlib.suppress(OSError):  # another user's processes
            # A server on another host has its own pids: never pin a process of this one.
            if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                os.sched_setaffinity(pid, {cores[-1]} if share else set(cores))


def _resources(layer: str, level: int, client: Any, conns: dict[str, list[Any]]) -> list[Any]:
    """What `level` concurrent workers of a layer call through."""
    if layer == "api":
        return [client] * level
    return conns[layer][:level]


async def compare_jsonb(
    data: BenchData, cases: list[Case], *, iterations: int, rounds: int
) -> list[dict[str, Any]]:
    """Typed (the product's SQL; the repository where it runs none) against JSONB, bare
    asyncpg, one connection each, interleaved. Typed runs as the product does, under
    row-level security; the JSONB copy has none (it cannot be slower for it)."""
    conn = await connect_as(data, rls=True, statement_timeout_ms=STATEMENT_TIMEOUT_MS)
    document_conn = await connect_as(data, rls=False, statement_timeout_ms=STATEMENT_TIMEOUT_MS)
    _same_core([conn, document_conn])
    results = []
    try:
        for case in cases:
            if case.jsonb is None:
                continue

            async def typed(case: Case = case) -> Any:
                if case.sql is None:
                    assert case.search is not None
                    return await video_search.search(conn, list_id=data.list_id, query=case.search)
                return await conn.fetch(case.sql, *case.params)

            async def document(side: tuple[str, list[Any]] = case.jsonb) -> Any:
                return await document_conn.fetch(side[0], *side[1])

            sides: dict[str, Callable[[], Awaitable[Any]]] = {"typed": typed, "jsonb": document}
            # Typed planned as the app plans it; JSONB always for its values, as it is tuned:
            # its best plan depends on them (GIN for a rare value, the newest walk for a
            # common one), and a generic plan took hundreds of ms where its own takes 0.3.
            typed_layer = "repository" if case.sql is None else "asyncpg"
            await _plan_as_the_app(typed_layer, [conn], *_planned(case))
            await _plan_as_the_app("asyncpg", [document_conn], generic=False)
            lat: dict[str, list[float]] = {side: [] for side in sides}
            for run in sides.values():
                for _ in range(3):
                    await run()
            per_round = max(1, iterations // rounds)
            for _ in range(rounds):
                for side, run in sides.items():
                    deadline = time.perf_counter() + BUDGET_S
                    for _ in range(per_round):
                        if time.perf_counter() > deadline:
                            break
                        t = time.perf_counter()
                        await run()
                        lat[side].append(time.perf_counter() - t)
            row: dict[str, Any] = {"query": case.name}
            for side in sides:
                row[f"{side}_p50_ms"] = _stats(lat[side], 1.0)["p50_ms"]
            row["jsonb_over_typed"] = round(row["jsonb_p50_ms"] / max(row["typed_p50_ms"], 1e-6), 2)
            results.append(row)
    finally:
        await conn.close()
        await document_conn.close()
    return results
