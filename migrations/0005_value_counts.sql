-- Counts kept with the data: how many videos a list has, and how many values each field holds
-- (per value for select, rating and boolean; in all for text). They answer what would
-- otherwise read a whole list: "is_empty" on a field every video has, and (next) facets.
--
-- Exact and transactional: statement triggers add each statement's net change in the same
-- transaction, so a reader's snapshot sees counts that match the rows it sees.
-- No hot row: each count is split into 16 slots and a session adds to the slot of its backend
-- (pg_backend_pid() % 16), so concurrent writers of one value rarely wait for each other; a
-- reader sums the slots. Each statement touches its keys in one order (ORDER BY), so two
-- statements that share a slot queue rather than deadlock.
-- depends: 0004_text_search

CREATE TABLE list_video_counts (
    list_id uuid     NOT NULL REFERENCES bookmark_lists (id) ON DELETE CASCADE,
    slot    smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    count   bigint   NOT NULL,
    PRIMARY KEY (list_id, slot)
);
COMMENT ON TABLE list_video_counts IS
    'How many videos a list has: sum(count) over its slots. Kept by the videos triggers.';

CREATE TABLE field_value_counts (
    field_id      uuid     NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value_text    text,
    value_numeric numeric,
    value_boolean boolean,
    slot          smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    count         bigint   NOT NULL,
    -- A text field is counted in all (every value NULL): its values are free text.
    CONSTRAINT field_value_counts_key
        UNIQUE NULLS NOT DISTINCT (field_id, value_text, value_numeric, value_boolean, slot)
);
COMMENT ON TABLE field_value_counts IS
    'How many videos hold each value of a field (a text field: how many hold any value): '
    'sum(count) over the slots of (field_id, value_*). Kept by the video_field_values triggers.';

-- PL/pgSQL, not SQL: its statements are planned once per session, where a SQL function's are
-- planned on every call (that doubled the cost of setting one value).
-- Adds each delta to the count of its video's list (no row where the list's change nets 0).
CREATE FUNCTION list_video_counts_add(list_ids uuid[], deltas integer[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO list_video_counts AS c (list_id, slot, count)
    SELECT change.list_id, pg_backend_pid() % 16, sum(change.delta)
    FROM unnest(list_ids, deltas) AS change (list_id, delta)
    -- A list deleted earlier in this transaction (its videos cascading) has no counts to keep.
    WHERE EXISTS (SELECT FROM bookmark_lists AS l WHERE l.id = change.list_id)
    GROUP BY change.list_id
    HAVING sum(change.delta) <> 0
    ORDER BY change.list_id
    ON CONFLICT (list_id, slot) DO UPDATE SET count = c.count + excluded.count;
END
$$;

-- Adds each delta to the count of its (field, value): an update that keeps a value nets 0
-- and writes nothing.
CREATE FUNCTION field_value_counts_add(field_ids uuid[], field_types field_type[],
    value_texts text[], value_numerics numeric[], value_booleans boolean[], deltas integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO field_value_counts AS c
        (field_id, value_text, value_numeric, value_boolean, slot, count)
    SELECT change.field_id, change.value_text, change.value_numeric, change.value_boolean,
           pg_backend_pid() % 16, sum(change.delta)
    FROM (SELECT field_id, CASE WHEN field_type <> 'text' THEN value_text END AS value_text,
                 value_numeric, value_boolean, delta
          FROM unnest(field_ids, field_types, value_texts, value_numerics, value_booleans, deltas)
               AS v (field_id, field_type, value_text, value_numeric, value_boolean, delta))
         AS change
    -- A field deleted earlier in this transaction (its values cascading) has no counts to keep.
    WHERE EXISTS (SELECT FROM custom_fields AS f WHERE f.id = change.field_id)
    GROUP BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    HAVING sum(change.delta) <> 0
    ORDER BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
        DO UPDATE SET count = c.count + excluded.count;
END
$$;

-- Transition tables allow one event per trigger and name only the tables of that event, so
-- each event has its branch: new rows count in, old rows count out, an update does both.
CREATE FUNCTION videos_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM list_video_counts_add(array_agg(list_id), array_agg(1)) FROM new_rows
        HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM list_video_counts_add(array_agg(list_id), array_agg(-1)) FROM old_rows
        HAVING count(*) > 0;
    ELSE
        PERFORM list_video_counts_add(array_agg(list_id), array_agg(delta))
        FROM (SELECT list_id, 1 AS delta FROM new_rows
              UNION ALL SELECT list_id, -1 FROM old_rows) AS change
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER videos_count_insert AFTER INSERT ON videos
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION videos_count();
CREATE TRIGGER videos_count_update AFTER UPDATE ON videos
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION videos_count();
CREATE TRIGGER videos_count_delete AFTER DELETE ON videos
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION videos_count();

CREATE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(1))
        FROM new_rows HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(-1))
        FROM old_rows HAVING count(*) > 0;
    ELSE
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(delta))
        FROM (SELECT *, 1 AS delta FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) AS change
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER video_field_values_count_insert AFTER INSERT ON video_field_values
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_count();
CREATE TRIGGER video_field_values_count_update AFTER UPDATE ON video_field_values
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_count();
CREATE TRIGGER video_field_values_count_delete AFTER DELETE ON video_field_values
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_count();

-- The counts of what is already stored, in slot 0.
INSERT INTO list_video_counts (list_id, slot, count)
SELECT list_id, 0, count(*) FROM videos GROUP BY list_id;
INSERT INTO field_value_counts (field_id, value_text, value_numeric, value_boolean, slot, count)
SELECT field_id, CASE WHEN field_type <> 'text' THEN value_text END, value_numeric,
       value_boolean, 0, count(*)
FROM video_field_values
GROUP BY 1, 2, 3, 4;

-- The count a reader wants, summed over the slots.
CREATE VIEW field_fill AS
SELECT f.id AS field_id, f.list_id,
       coalesce((SELECT sum(c.count) FROM field_value_counts AS c WHERE c.field_id = f.id), 0)::bigint
           AS filled,
       coalesce((SELECT sum(l.count) FROM list_video_counts AS l WHERE l.list_id = f.list_id), 0)::bigint
           AS videos
FROM custom_fields AS f;
COMMENT ON VIEW field_fill IS
    'For each field: how many of its list''s videos hold a value (filled) and how many videos '
    'the list has; empty = videos - filled. Read from the kept counts, not the rows.';
