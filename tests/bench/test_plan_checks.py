"""The verdicts that make `make bench` fail on a plan regression."""

from app.bench.cases import Case
from app.bench.plans import check


def _case(selective: bool) -> Case:
    return Case(
        name="search_select_eq_rare",
        sql="SELECT 1",
        params=[],
        expect=("video_field_values_text_idx", "videos_pkey|videos_list_newest_idx"),
        selective=selective,
    )


def test_a_plan_on_its_expected_indexes_is_ok() -> None:
    summary = {"indexes": ["video_field_values_text_idx", "videos_pkey"], "seq_scans": []}
    assert check(_case(selective=True), summary) == ("ok", "")


def test_a_selective_query_off_its_index_fails() -> None:
    summary = {"indexes": ["video_field_values_pkey", "videos_list_newest_idx"], "seq_scans": []}
    status, why = check(_case(selective=True), summary)
    assert status == "FAIL"
    assert "video_field_values_text_idx" in why


def test_a_selective_query_reading_the_values_table_whole_fails() -> None:
    summary = {
        "indexes": ["video_field_values_text_idx", "videos_pkey"],
        "seq_scans": ["video_field_values"],
    }
    assert check(_case(selective=True), summary)[0] == "FAIL"


def test_a_broad_query_off_its_index_is_only_a_note() -> None:
    summary = {"indexes": ["videos_list_newest_idx"], "seq_scans": []}
    assert check(_case(selective=False), summary)[0] == "note"
