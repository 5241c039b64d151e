"""Loads the named queries in sql/*.sql once, at import.

A file holds queries in aiosql's convention:

    -- name: get
    -- One video of a list.
    SELECT ... ;

The comment line after the name is the query's purpose, one line; the comment lines after it,
if any, are notes saying why it is written so. A missing file, a missing, repeated or
malformed name, or a query without a purpose fails at import.
Each statement's text starts with a comment naming it (/* videos.get */), so pg_stat_activity,
pg_stat_statements and the server log show which query is running.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"

_NAME_LINE = re.compile(r"^-- name: ([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
# Anything that looks like a name line: one the pattern above does not take (aiosql's
# "get_thing!", a capital, no space) would otherwise run on as the previous query's SQL.
_NAME_LIKE = re.compile(r"^--\s*name\s*:.*$", re.MULTILINE | re.IGNORECASE)


class QueryFileError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Query:
    resource: str
    name: str
    purpose: str
    sql: str  # the statement or fragment as written, without a trailing semicolon
    notes: str = ""  # the comment lines after the purpose: why it is written so

    @property
    def text(self) -> str:
        """What is sent to the server: the statement behind a comment naming it."""
        return f"/* {self.resource}.{self.name} */ {self.sql}"


class QueryFile(Mapping[str, Query]):
    def __init__(self, resource: str, queries: dict[str, Query]) -> None:
        self.resource = resource
        self._queries = queries

    def __getitem__(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"sql/{self.resource}.sql has no query named {name!r}") from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


def parse(resource: str, source: str) -> QueryFile:
    for line in _NAME_LIKE.findall(source):
        if not _NAME_LINE.fullmatch(line):
            raise QueryFileError(
                f"sql/{resource}.sql: {line.strip()!r} is not a name line "
                "('-- name: ' and a lowercase name of letters, digits and _)"
            )
    parts = _NAME_LINE.split(source)
    queries: dict[str, Query] = {}
    # parts = [file header, name1, body1, name2, body2, ...]
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            raise QueryFileError(f"sql/{resource}.sql: query {name!r} is defined twice")
        lines = body.strip("\n").splitlines()
        if not lines or not lines[0].startswith("-- ") or not lines[0][3:].strip():
            raise QueryFileError(f"sql/{resource}.sql: query {name!r} needs a '-- purpose' line")
        size = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
        purpose = lines[0][3:].strip()
        notes = " ".join(line[3:].strip() for line in lines[1:size] if line[3:].strip())
        sql = "\n".join(lines[size:]).strip().removesuffix(";").strip()
        if not sql:
            raise QueryFileError(f"sql/{resource}.sql: query {name!r} is empty")
        queries[name] = Query(resource, name, purpose, sql, notes)
    if not queries:
        raise QueryFileError(f"sql/{resource}.sql holds no '-- name:' query")
    return QueryFile(resource, queries)


def load(resource: str, sql_dir: Path = SQL_DIR) -> QueryFile:
    path = sql_dir / f"{resource}.sql"
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryFileError(f"{path} does not exist") from None
    return parse(resource, source)
