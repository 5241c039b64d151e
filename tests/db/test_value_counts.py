"""The counts kept with the data (list_video_counts, field_value_counts, the field_fill view):
exact after any mix of writes by any writer, transactional, and free of a hot row."""

import random
import threading
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.db.factories import create_field, create_list, create_video, set_value


def kept_counts(conn: psycopg.Connection) -> dict[tuple[Any, ...], int]:
    """(field_id, value) -> count from the kept counts, zero counts left out."""
    rows = conn.execute(
        "SELECT field_id, value_text, value_numeric, value_boolean, sum(count)"
        " FROM field_value_counts GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0"
    ).fetchall()
    return {(f, t, n, b): c for f, t, n, b, c in rows}


def true_counts(conn: psycopg.Connection) -> dict[tuple[Any, ...], int]:
    """The same, counted from the value rows: select, rating and boolean by value, the other
    types as a whole, and a multi_select's options each."""
    rows = conn.execute(
        "SELECT field_id, CASE WHEN field_type IN ('select', 'rating', 'boolean') THEN value_text"
        " END, CASE WHEN field_type IN ('select', 'rating', 'boolean') THEN value_numeric END,"
        " value_boolean, count(*) FROM video_field_values GROUP BY 1, 2, 3, 4"
        " UNION ALL"
        " SELECT field_id, option, NULL, NULL, count(*)"
        " FROM video_field_values, unnest(value_options) AS option GROUP BY 1, 2"
    ).fetchall()
    return {(f, t, n, b): c for f, t, n, b, c in rows}


def list_counts(conn: psycopg.Connection) -> tuple[dict[Any, int], dict[Any, int]]:
    kept = conn.execute(
        "SELECT list_id, sum(count) FROM list_video_counts GROUP BY 1 HAVING sum(count) <> 0"
    ).fetchall()
    true = conn.execute("SELECT list_id, count(*) FROM videos GROUP BY 1").fetchall()
    return dict(kept), dict(true)


def sums(conn: psycopg.Connection) -> tuple[dict[Any, Decimal], dict[Any, Decimal]]:
    """field_id -> the sum of its values, zero sums left out: from the kept counts, and from the
    value rows (a number field's values: no other type keeps a sum)."""
    kept = conn.execute(
        "SELECT field_id, sum(sum_numeric) FROM field_value_counts"
        " GROUP BY 1 HAVING sum(sum_numeric) <> 0"
    ).fetchall()
    true = conn.execute(
        "SELECT field_id, sum(value_numeric) FROM video_field_values"
        " WHERE field_type = 'number' GROUP BY 1 HAVING sum(value_numeric) <> 0"
    ).fetchall()
    return dict(kept), dict(true)  # type: ignore[arg-type]


def assert_exact(conn: psycopg.Connection) -> None:
    assert kept_counts(conn) == true_counts(conn)
    kept, true = sums(conn)
    assert kept == true
    kept, true = list_counts(conn)
    assert kept == true
    fill = conn.execute("SELECT field_id, filled, videos FROM field_fill").fetchall()
    for field_id, filled, videos in fill:
        assert (
            filled
            == conn.execute(
                "SELECT count(*) FROM video_field_values WHERE field_id = %s", [field_id]
            ).fetchone()[0]
        )  # type: ignore[index]
        list_id = conn.execute(
            "SELECT list_id FROM custom_fields WHERE id = %s", [field_id]
        ).fetchone()[0]  # type: ignore[index]
        assert videos == true.get(list_id, 0)


VALUES: dict[str, list[dict[str, Any]]] = {
    "rating": [{"numeric": Decimal(n)} for n in ("0", "2", "4.5", "4.50", "5")],
    "number": [{"numeric": Decimal(n)} for n in ("-1.5", "0", "7", "999.25", "7.00")],
    "select": [{"text": t} for t in ("good", "bad")],
    "text": [{"text": t} for t in ("some words", "other words", "more")],
    "boolean": [{"boolean": b} for b in (True, False)],
    "multi_select": [{"options": o} for o in (["good"], ["good", "bad"], ["ok"])],
}
COLUMNS = {
    "numeric": "value_numeric",
    "text": "value_text",
    "boolean": "value_boolean",
    "options": "value_options",
}


@pytest.mark.parametrize("seed", range(4))
def test_counts_stay_exact_through_any_mix_of_raw_writes(
    postgresql: psycopg.Connection, seed: int
) -> None:
    rng = random.Random(seed)
    conn = postgresql
    lists = [create_list(conn) for _ in range(2)]
    fields = {
        (list_id, field_type): create_field(conn, list_id=list_id, field_type=field_type)
        for list_id in lists
        for field_type in VALUES
    }
    videos = {list_id: [create_video(conn, list_id=list_id) for _ in range(8)] for list_id in lists}
    for step in range(120):
        list_id = rng.choice(lists)
        field_type = rng.choice(list(VALUES))
        field_id = fields[(list_id, field_type)]
        if not videos[list_id]:
            videos[list_id].append(create_video(conn, list_id=list_id))
        video_id = rng.choice(videos[list_id])
        value = rng.choice(VALUES[field_type])
        ((column, new),) = value.items()
        named = {"column": sql.Identifier(COLUMNS[column])}
        action = rng.choice(["set", "set", "set", "update", "clear", "batch", "delete_video"])
        if action == "set":
            conn.execute(
                sql.SQL(
                    "INSERT INTO video_field_values (video_id, field_id, {column})"
                    " VALUES (%s, %s, %s) ON CONFLICT (video_id, field_id, list_id)"
                    " DO UPDATE SET {column} = excluded.{column}"
                ).format(**named),
                [video_id, field_id, new],
            )
        elif action == "update":  # every value of the field at once
            conn.execute(
                sql.SQL("UPDATE video_field_values SET {column} = %s WHERE field_id = %s").format(
                    **named
                ),
                [new, field_id],
            )
        elif action == "clear":
            conn.execute(
                "DELETE FROM video_field_values WHERE video_id = %s AND field_id = %s",
                [video_id, field_id],
            )
        elif action == "batch":  # one statement, many rows, some values repeated
            conn.execute(
                sql.SQL(
                    "INSERT INTO video_field_values (video_id, field_id, {column})"
                    " SELECT v, %s, %s FROM unnest(%s::uuid[]) AS v"
                    " ON CONFLICT (video_id, field_id, list_id) DO NOTHING"
                ).format(**named),
                [field_id, new, videos[list_id]],
            )
        else:
            conn.execute("DELETE FROM videos WHERE id = %s", [video_id])
            videos[list_id].remove(video_id)
        if step % 20 == 0:
            assert_exact(conn)
    assert_exact(conn)

    # A deleted field, then a deleted list, take their counts with them.
    doomed_field = fields[(lists[0], "rating")]
    conn.execute("DELETE FROM custom_fields WHERE id = %s", [doomed_field])
    assert_exact(conn)
    assert not conn.execute(
        "SELECT FROM field_value_counts WHERE field_id = %s", [doomed_field]
    ).fetchall()
    conn.execute("DELETE FROM bookmark_lists WHERE id = %s", [lists[1]])
    assert_exact(conn)
    assert not conn.execute(
        "SELECT FROM list_video_counts WHERE list_id = %s", [lists[1]]
    ).fetchall()


def test_a_text_field_is_counted_as_a_whole_and_numbers_by_value(
    postgresql: psycopg.Connection,
) -> None:
    conn = postgresql
    list_id = create_list(conn)
    text = create_field(conn, list_id=list_id, field_type="text")
    rating = create_field(conn, list_id=list_id, field_type="rating")
    for words, stars in (("a", "4.5"), ("b", "4.50"), ("c", "3")):
        video = create_video(conn, list_id=list_id)
        set_value(conn, video_id=video, field_id=text, text=words)
        set_value(conn, video_id=video, field_id=rating, numeric=Decimal(stars))
    assert kept_counts(conn) == {
        (text, None, None, None): 3,
        (rating, None, Decimal("4.5"), None): 2,
        (rating, None, Decimal("3"), None): 1,
    }
    row = conn.execute("SELECT filled, videos FROM field_fill WHERE field_id = %s", [text])
    assert row.fetchone() == (3, 3)


def test_a_number_keeps_the_sum_of_its_values_beside_its_count(
    postgresql: psycopg.Connection,
) -> None:
    conn = postgresql
    list_id = create_list(conn)
    number = create_field(conn, list_id=list_id, field_type="number")
    first, second = (create_video(conn, list_id=list_id) for _ in range(2))
    set_value(conn, video_id=first, field_id=number, numeric=Decimal("10"))
    set_value(conn, video_id=second, field_id=number, numeric=Decimal("2.5"))
    assert sums(conn)[0] == {number: Decimal("12.5")}
    # A changed value keeps the count and moves the sum.
    conn.execute(
        "UPDATE video_field_values SET value_numeric = 20 WHERE video_id = %s AND field_id = %s",
        [first, number],
    )
    assert kept_counts(conn) == {(number, None, None, None): 2}
    assert sums(conn)[0] == {number: Decimal("22.5")}
    conn.execute("DELETE FROM video_field_values WHERE video_id = %s", [second])
    assert sums(conn)[0] == {number: Decimal("20")}
    assert_exact(conn)


def test_an_update_that_keeps_the_value_writes_no_count(
    postgresql: psycopg.Connection,
) -> None:
    conn = postgresql
    list_id = create_list(conn)
    field = create_field(conn, list_id=list_id, field_type="select")
    video = create_video(conn, list_id=list_id)
    set_value(conn, video_id=video, field_id=field, text="good")
    before = conn.execute("SELECT xmin::text, count FROM field_value_counts").fetchall()
    conn.execute("UPDATE video_field_values SET value_text = 'good'")
    conn.execute("UPDATE videos SET title = 'renamed'")
    assert conn.execute("SELECT xmin::text, count FROM field_value_counts").fetchall() == before


def test_a_rolled_back_write_leaves_the_counts_as_they_were(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        list_id = create_list(conn)
        field = create_field(conn, list_id=list_id, field_type="boolean")
        video = create_video(conn, list_id=list_id)
        before = kept_counts(conn), list_counts(conn)
        with pytest.raises(psycopg.errors.RaiseException), conn.transaction():
            set_value(conn, video_id=video, field_id=field, boolean=True)
            create_video(conn, list_id=list_id)
            conn.execute("DO $$ BEGIN RAISE EXCEPTION 'abandon'; END $$")
        assert (kept_counts(conn), list_counts(conn)) == before
        assert_exact(conn)


def _sessions_on_different_slots(database_url: str) -> tuple[psycopg.Connection, ...]:
    """Two sessions whose backends add to different slots (pid % 16)."""
    opened = [psycopg.connect(database_url, autocommit=True)]
    slot = opened[0].info.backend_pid % 16
    while True:
        conn = psycopg.connect(database_url, autocommit=True)
        if conn.info.backend_pid % 16 != slot:
            for other in opened[1:]:
                other.close()
            return opened[0], conn
        opened.append(conn)


def test_writers_of_one_value_do_not_wait_for_each_other(database_url: str) -> None:
    # The hot row this avoids: every writer of "Rating = 5" updating one counter row and
    # holding its lock until commit.
    first, second = _sessions_on_different_slots(database_url)
    with first, second:
        list_id = create_list(first)
        field = create_field(first, list_id=list_id, field_type="rating")
        videos = [create_video(first, list_id=list_id) for _ in range(2)]
        with first.transaction():
            set_value(first, video_id=videos[0], field_id=field, numeric=5)
            second.execute("SET lock_timeout = '2s'")
            set_value(second, video_id=videos[1], field_id=field, numeric=5)  # no wait
        assert kept_counts(first) == {(field, None, Decimal(5), None): 2}


def test_concurrent_writers_keep_the_counts_exact(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as setup:
        list_id = create_list(setup)
        field = create_field(setup, list_id=list_id, field_type="rating")
        videos = [create_video(setup, list_id=list_id) for _ in range(160)]
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        rng = random.Random(number)
        try:
            with psycopg.connect(database_url, autocommit=True) as conn:
                for video in videos[number::8]:
                    for _ in range(3):
                        with conn.transaction():
                            conn.execute(
                                "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
                                " VALUES (%s, %s, %s) ON CONFLICT (video_id, field_id, list_id)"
                                " DO UPDATE SET value_numeric = excluded.value_numeric",
                                [video, field, rng.randint(0, 5)],
                            )
                            if rng.random() < 0.2:
                                conn.execute(
                                    "DELETE FROM video_field_values WHERE video_id = %s", [video]
                                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert_exact(conn)
        assert sum(kept_counts(conn).values()) > 0
        slots = conn.execute("SELECT count(DISTINCT slot) FROM field_value_counts").fetchone()
        assert slots is not None and slots[0] > 1
        assert uuid.UUID(str(field)) in {key[0] for key in kept_counts(conn)}


def test_truncating_the_values_or_the_videos_truncates_their_counts(
    postgresql: psycopg.Connection,
) -> None:
    # The owning role's TRUNCATE fires no row trigger: the counts stayed as they were (0061).
    list_id = create_list(postgresql)
    field_id = create_field(postgresql, list_id=list_id)
    for stars in (1, 2, 2):
        set_value(
            postgresql,
            video_id=create_video(postgresql, list_id=list_id),
            field_id=field_id,
            numeric=stars,
        )
    postgresql.execute("TRUNCATE video_field_values")
    assert kept_counts(postgresql) == {}
    assert_exact(postgresql)
    postgresql.execute("TRUNCATE videos CASCADE")
    assert list_counts(postgresql) == ({}, {})
    set_value(
        postgresql, video_id=create_video(postgresql, list_id=list_id), field_id=field_id, numeric=5
    )
    assert_exact(postgresql)
