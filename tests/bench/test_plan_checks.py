"""The verdicts that make `make bench` fail on a plan regression."""

from bench.cases import Case
from bench.plans import check


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
