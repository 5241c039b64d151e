"""Guards over the field type declarations (app/field_types.py): a type that is declared but
that the database, the SQL fragments, a test suite or the bench does not cover fails here."""

import psycopg
import pytest

from app import field_types
from app.db import errors
from app.field_types import FieldType
from app.repositories import video_search
from bench import cases as bench_cases
from bench import data as bench_data
from tests.api import test_access
from tests.db import factories, test_value_rules
from tests.repositories import conftest as repository_conftest
from tests.repositories import test_video_search

DECLARED = {t.value for t in FieldType}


def test_every_type_is_declared_and_an_unknown_one_is_refused() -> None:
    assert set(field_types.TYPES) == set(FieldType)
    for name in DECLARED:
        assert field_types.spec(name) is field_types.TYPES[FieldType(name)]
    with pytest.raises(field_types.UnknownFieldType):
        field_types.spec("mystery")


def test_the_database_knows_exactly_the_declared_types(postgresql: psycopg.Connection) -> None:
    row = postgresql.execute("SELECT enum_range(NULL::field_type)::text[]").fetchone()
    assert row is not None and set(row[0]) == DECLARED
    columns = {
        r[0]
        for r in postgresql.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'video_field_values'"
        )
    }
    constraints = {r[0] for r in postgresql.execute("SELECT conname FROM pg_constraint")}
    for name, spec in field_types.TYPES.items():
        assert spec.column in columns, name
        # Each type's config has its own CHECK, and the API a sentence for it.
        assert f"custom_fields_{name}_config" in constraints, name
        assert errors._CHECK_MESSAGES[f"custom_fields_{name}_config"] == spec.config_help


def test_every_declared_fragment_is_in_the_search_sql() -> None:
    for name, spec in field_types.TYPES.items():
        used = {*spec.operators.values(), spec.sort_head} | ({spec.stream} - {None})
        assert used <= set(video_search.SQL), (name, used - set(video_search.SQL))


def test_every_type_is_covered_by_the_suites_and_the_bench() -> None:
    assert set(factories.DEFAULT_CONFIGS) == DECLARED
    assert set(repository_conftest.DEFAULT_CONFIGS) == DECLARED
    assert set(test_access.VALUES) == DECLARED
    assert set(test_value_rules.VALID) >= DECLARED
    assert {t for t, *_ in test_video_search.CASES} == DECLARED
    bench_types = {spec.name: spec.field_type for spec in bench_data.FIELDS}
    assert set(bench_types.values()) == DECLARED
    searched = {
        bench_types[field]
        for _, conditions, _, _ in bench_cases.SEARCHES
        for field, _, _ in conditions
    }
    assert searched == DECLARED
