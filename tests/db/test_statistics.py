"""Extended statistics the planner relies on (the bench's plan checks show what they change)."""

import psycopg

from tests.db.factories import create_field, create_list, create_video, set_value


def test_the_statistics_know_a_value_rows_type_follows_its_field(
    postgresql: psycopg.Connection,
) -> None:
    # Without them the planner multiplied the shares of field_id and field_type: a
    # multi_select's 40,048 value rows at 100k estimated at 248, sorted rather than walked
    # (0047).
    list_id = create_list(postgresql)
    rating = create_field(postgresql, list_id=list_id, field_type="rating")
    text = create_field(postgresql, list_id=list_id, field_type="text")
    for _ in range(40):
        video_id = create_video(postgresql, list_id=list_id)
        set_value(postgresql, video_id=video_id, field_id=rating, numeric=3)
        set_value(postgresql, video_id=video_id, field_id=text, text="note")
    postgresql.execute("ANALYZE video_field_values")
    row = postgresql.execute(
        "SELECT dependencies::text FROM pg_stats_ext"
        " WHERE statistics_name = 'video_field_values_type_by_field'"
    ).fetchone()
    assert row is not None
    columns = dict(
        postgresql.execute(
            "SELECT attname, attnum FROM pg_attribute"
            " WHERE attrelid = 'video_field_values'::regclass"
            " AND attname IN ('field_id', 'field_type')"
        ).fetchall()
    )
    # {"<field_id> => <field_type>": 1.000000}: the field decides the type, always.
    assert f'"{columns["field_id"]} => {columns["field_type"]}": 1.000000' in row[0]
