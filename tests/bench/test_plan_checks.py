"""The verdicts that make `make bench` fail on a plan regression."""

from dataclasses import replace
from typing import Any

from app.repositories import video_search
from bench.cases import Case
from bench.plans import MAX_SORTED, check, summarize


def _case() -> Case:
    return Case(
        name="search_select_eq_rare",
        sql="SELECT 1",
        params=[],
        expect=("video_field_values_text_idx", "videos_pkey|videos_list_newest_idx"),
    )


def test_a_plan_on_its_expected_indexes_is_ok() -> None:
    summary = {"indexes": ["video_field_values_text_idx", "videos_pkey"], "seq_scans": []}
    assert check(_case(), summary) == ("ok", "")


def test_a_selective_query_off_its_index_fails() -> None:
    summary = {"indexes": ["video_field_values_pkey", "videos_list_newest_idx"], "seq_scans": []}
    status, why = check(_case(), summary)
    assert status == "FAIL"
    assert "video_field_values_text_idx" in why


def test_a_selective_query_reading_the_values_table_whole_fails() -> None:
    summary = {
        "indexes": ["video_field_values_text_idx", "videos_pkey"],
        "seq_scans": ["video_field_values"],
    }
    assert check(_case(), summary)[0] == "FAIL"


def test_every_query_off_its_index_fails() -> None:
    """No case is exempt: a broad query that walks the list must name the walk's indexes."""
    summary = {"indexes": ["videos_list_newest_idx"], "seq_scans": []}
    assert check(_case(), summary)[0] == "FAIL"


def _plan_sorting(rows: int) -> dict[str, Any]:
    scan = {
        "Node Type": "Index Scan",
        "Index Name": "video_field_values_text_idx",
        "Relation Name": "video_field_values",
        "Actual Rows": rows,
        "Actual Loops": 1,
    }
    sort = {"Node Type": "Sort", "Actual Rows": 51, "Actual Loops": 1, "Plans": [scan]}
    join = {
        "Node Type": "Nested Loop",
        "Actual Rows": 51,
        "Actual Loops": 1,
        "Plans": [
            sort,
            {
                "Node Type": "Index Scan",
                "Index Name": "videos_pkey",
                "Relation Name": "videos",
                "Actual Rows": 1,
                "Actual Loops": 51,
            },
        ],
    }
    return {"Plan": {"Node Type": "Limit", "Actual Rows": 51, "Actual Loops": 1, "Plans": [join]}}


def test_a_page_that_sorts_every_match_fails_on_its_expected_indexes() -> None:
    """The indexes alone do not show a stream read in order: sorting 250,000 matches for a page
    of 51 (the row-level security regression) uses the very same indexes."""
    status, why = check(_case(), summarize(_plan_sorting(250_000)))
    assert status == "FAIL"
    assert "sorted 250,000 rows" in why
    assert check(_case(), summarize(_plan_sorting(MAX_SORTED))) == ("ok", "")


def test_a_search_may_sort_up_to_its_largest_cap_at_the_bench_scale() -> None:
    """A range read capped at 1M sorts up to ~51,500 matches by design (twice the crossover's
    share); past the default bound, within its case's, it passes."""
    at_1m = replace(_case(), most_sorted=video_search.most_sorted(1_000_000, 51))
    assert at_1m.most_sorted == 51_498
    assert check(at_1m, summarize(_plan_sorting(40_000))) == ("ok", "")
    assert check(_case(), summarize(_plan_sorting(40_000)))[0] == "FAIL"
    assert check(at_1m, summarize(_plan_sorting(250_000)))[0] == "FAIL"


def test_a_figure_that_reads_the_whole_field_fails_on_its_expected_index() -> None:
    """A number's min and max read the two ends of its value index; the same index scanned
    whole for an avg (300,300 values at 1M) passes the index check alone."""
    case = Case(
        name="facets_number",
        sql="SELECT 1",
        params=[],
        expect=("video_field_values_numeric_idx",),
        most_values_read=2,
    )
    scan = {
        "Node Type": "Index Only Scan",
        "Index Name": "video_field_values_numeric_idx",
        "Relation Name": "video_field_values",
        "Actual Loops": 1,
    }

    def plan(rows: int) -> dict[str, Any]:
        return {"Plan": {"Node Type": "Aggregate", "Plans": [{**scan, "Actual Rows": rows}]}}

    status, why = check(case, summarize(plan(300_300)))
    assert status == "FAIL"
    assert "read 300,300 values (at most 2)" in why
    assert check(case, summarize(plan(2))) == ("ok", "")


def test_a_seq_scan_fails_only_where_it_ran() -> None:
    """The filtered facets hold two ways to read the values, one skipped by a one-time filter
    as the statement runs: the seq scan of the way not taken reads nothing."""
    case = Case(
        name="facets_rare_filter",
        sql="SELECT 1",
        params=[],
        expect=("video_field_values_pkey",),
    )
    probe = {
        "Node Type": "Index Only Scan",
        "Index Name": "video_field_values_pkey",
        "Relation Name": "video_field_values",
        "Actual Rows": 2,
        "Actual Loops": 5_046,
    }

    def plan(seq_scan_loops: int) -> dict[str, Any]:
        seq_scan = {
            "Node Type": "Seq Scan",
            "Relation Name": "video_field_values",
            "Actual Rows": 0,
            "Actual Loops": seq_scan_loops,
        }
        return {"Plan": {"Node Type": "Append", "Plans": [probe, seq_scan]}}

    assert check(case, summarize(plan(0))) == ("ok", "")
    assert check(case, summarize(plan(1))) == ("FAIL", "seq scan of video_field_values")
