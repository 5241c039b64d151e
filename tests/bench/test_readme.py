"""The README's table of the last runs: every case and target of each run, written between the
markers only."""

from typing import Any

import pytest

from bench import readme


def _run(scale: int, p50: dict[str, dict[str, float]]) -> dict[str, Any]:
    timing = [
        {"query": query, "concurrency": level, "layer": layer, "p50_ms": ms}
        for query, layers in p50.items()
        for layer, ms in layers.items()
        for level in (1, 4)
    ]
    return {
        "meta": {
            "scale": scale,
            "when": "2026-12-06T15:00:00+00:00",
            "seconds": 875.3,
            "commit": "b8aec79",
        },
        "timing": timing,
        "jsonb": [{"query": "search_rating_eq", "jsonb_over_typed": 1.08}],
        "plans": [
            {"query": "search_rating_eq", "layout": "typed", "status": "ok"},
            {"query": "search_rating_eq", "layout": "jsonb", "status": "-"},
        ],
        "targets": [
            {
                "target": "set one value, p50 (repository)",
                "measured": 1.018,
                "goal": "<= 1 ms",
                "met": False,
            },
            {
                "target": "fields of a video, p50 (repository)",
                "measured": 0.413,
                "goal": "< 1 ms",
                "met": True,
            },
        ],
    }


LAYERS = {"asyncpg": 0.319, "asyncpg_no_rls": 0.29, "repository": 0.5, "api": 2.0}
MILLION = _run(1_000_000, {"search_rating_eq": LAYERS, "values_of_page": {"asyncpg": 0.677}})
SMALL = _run(100_000, {"search_rating_eq": LAYERS})


def test_each_case_has_its_plan_check_layers_and_ratios_and_dashes_where_not_measured() -> None:
    rows = readme.case_table(MILLION)
    assert "| `rating_eq` | ok | 0.319 | 0.500 | 2.000 | 1.08x | 1.10x |" in rows
    assert "| `values_of_page` | - | 0.677 | - | - | - | - |" in rows


def test_every_target_has_its_verdict_and_a_miss_stands_out() -> None:
    rows = readme.target_table(MILLION)
    assert "| set one value, p50 (repository) | 1.018 | <= 1 ms | **missed** |" in rows
    assert "| fields of a video, p50 (repository) | 0.413 | < 1 ms | met |" in rows


def test_the_block_holds_the_largest_scale_first_with_the_commit_measured() -> None:
    text = readme.block([SMALL, MILLION])
    assert text.startswith(readme.BEGIN) and text.endswith(readme.END)
    assert text.index("**1,000,000 videos**") < text.index("**100,000 videos**")
    assert "commit b8aec79" in text


def test_the_sweep_shows_its_figures_and_slowest_searches_or_that_it_did_not_run() -> None:
    swept = {
        "searches": 396,
        "median_ms": 9.7,
        "p90_ms": 25.1,
        "max_ms": 78.0,
        "total_s": 5.07,
        "slowest": [{"search": "Watched eq True, by Published desc", "ms": 78.0}],
    }
    text = readme.block([{**MILLION, "sweep": swept}, SMALL])
    million, small = text.split("**100,000 videos**")
    assert "396 searches: median 9.7, 90th percentile 25.1, slowest 78.0" in million
    assert "| Watched eq True, by Published desc | 78.0 |" in million
    assert "Not run." in small


def test_only_the_text_between_the_markers_is_replaced() -> None:
    before = f"# Title\nprose\n{readme.BEGIN}\nold figures\n{readme.END}\nmore prose\n"
    after = readme.rewrite(before, readme.block([MILLION]))
    assert after.startswith("# Title\nprose\n") and after.endswith(f"{readme.END}\nmore prose\n")
    assert "old figures" not in after and "`rating_eq`" in after
    assert readme.rewrite(after, readme.block([MILLION])) == after


def test_a_readme_without_its_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="marker"):
        readme.rewrite("# Title\nno markers here\n", readme.block([MILLION]))
