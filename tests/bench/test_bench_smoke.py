"""The bench at a tiny scale, so it cannot rot: every stage runs and writes its report.

Plans at 300 videos say nothing about plans at 100,000 (the planner rightly reads tiny tables
whole), so the smoke test checks the report's shape, not the index checks."""

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from bench import __main__ as bench
from bench.data import bench_url


@pytest.fixture
def bench_database(empty_database_url: str) -> Iterator[str]:
    yield empty_database_url
    admin = urlsplit(empty_database_url)._replace(path="/postgres").geturl()
    name = urlsplit(bench_url(empty_database_url)).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_bench_runs_at_a_tiny_scale(bench_database: str, tmp_path: Path) -> None:
    results = await bench.run(
        bench_database,
        scale=300,
        seed=7,
        out=tmp_path,
        iterations=10,
        rounds=2,
        concurrency=2,
        http=False,
    )

    saved = json.loads((tmp_path / "results-300.json").read_text())
    assert saved["load"]["videos"]["rows"] == 300
    assert saved["load"]["video_field_values"]["rows"] > 300
    queries = {p["query"] for p in saved["plans"]}
    assert {"search_rating_eq", "search_three_conditions", "fields_of_video"} <= queries
    assert {"set_one_value", "set_batch_1000", "newest_page"} <= queries
    assert {"facets_select", "facets_rating", "facets_options", "facets_rare_filter"} <= queries
    assert (tmp_path / "plans-300" / "search_rating_eq.txt").read_text().count("Execution Time")
    layers = {(t["query"], t["layer"]) for t in saved["timing"]}
    assert ("search_rating_eq", "repository") in layers
    assert ("search_rating_eq", "asyncpg") in layers
    assert ("facets_rare_filter", "repository") in layers
    # The RLS cost: the same SQL as the app's role and as the owning role.
    assert ("search_rating_eq", "asyncpg_no_rls") in layers
    assert saved["meta"]["rls_comparisons_leakproof"] is True
    assert any(t["target"].startswith("row-level security on/off") for t in saved["targets"])
    assert saved["jsonb"] and all(r["typed_p50_ms"] > 0 for r in saved["jsonb"])
    assert "facets_select" in {r["query"] for r in saved["jsonb"]}
    assert saved["sizes"]["partial_total"] > 0
    # Pooled versus direct: the main cases as the app's requests, through a real PgBouncer.
    pooled = {(r["query"], r["layer"]) for r in saved["pooler"] if r["p50_ms"] > 0}
    assert {("search_select_eq", "pgbouncer"), ("search_select_eq", "direct")} <= pooled
    assert ("set_one_value", "pgbouncer") in pooled
    # Searches of one or two conditions under six orders, each through the repository.
    swept = saved["sweep"]
    assert swept["searches"] == 66 * 6 and 0 < swept["median_ms"] <= swept["max_ms"]
    assert swept["slowest"][0]["ms"] == swept["max_ms"] and " by " in swept["slowest"][0]["search"]
    # The last stage deletes the bench list's fullest field, then the list, and measures both.
    purged = saved["purge"]
    assert purged["field"]["rows"] > 300 and purged["list"]["rows"] > 300
    assert purged["field"]["answer_ms"] > 0 and purged["list"]["purge_s"] > 0
    assert purged["without_purge"]["requests"] > 0 and purged["without_purge"]["errors"] == 0
    assert any(t["target"].startswith("DELETE answers") for t in saved["targets"])
    # And why a p99 moves: the sessions' waits, sampled, and the WAL each phase wrote.
    for phase in (purged["without_purge"], purged["field"]["during"], purged["list"]["during"]):
        assert phase["database"]["samples"] > 0 and phase["database"]["wal_mb_per_s"] >= 0
    assert "others" in purged["without_purge"]["database"]["waits"]
    summary = Path(results["summary"]).read_text()  # noqa: ASYNC240 - after the run
    assert summary.startswith("# Bench: 300 videos")
