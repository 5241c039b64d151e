-- Field values: at most one value per (video, field), in the column of the field's type.
-- Writes pass list_id and field_type themselves (taken from the field, which must be in the
-- list) and video_created_at (from the video), so the database's fill-in triggers stay idle
-- and the foreign keys check the video; a video that is not in the list leaves
-- video_created_at NULL, and the fill-in trigger then refuses it by name.
-- Every value rule is the database's (migrations/0012_value_rules.sql): a write states no rule
-- of its own, and a refused batch is explained item by item by batch_problems.
-- Writes lock no video or field first: a video's delete locks the value rows it cascades to
-- before the video (lock_values in videos.sql). A deleted list or field is only marked; the
-- database refuses values attaching to it (refuse_purged_lists, refuse_purged_fields).

-- name: set_one
-- Set a video's value for a field (insert, or replace: updated_at moves if the value changed).
-- No row when the field is not in the list. set_one_value() runs set_one_upsert on one plan per
-- connection.
SELECT video_id, field_id, field_type, value_text, value_numeric, value_boolean, value_date,
       value_options, created_at, updated_at
FROM set_one_value($1, $2, $3, $4, $5, $6, $7, $8);

-- name: set_one_upsert
-- What set_one_value() runs (migration 0040), word for word, $1..$8 its arguments.
-- It is here for the bench, which EXPLAINs it as the function runs it (generically), and for a
-- test's comparison.
INSERT INTO video_field_values AS fv
    (video_id, field_id, list_id, field_type, video_created_at, value_text, value_numeric,
     value_boolean, value_date, value_options)
SELECT $2, f.id, f.list_id, f.field_type,
       (SELECT v.created_at FROM videos AS v WHERE v.list_id = $1 AND v.id = $2), $4, $5, $6, $7,
       $8
FROM custom_fields AS f
WHERE f.list_id = $1 AND f.id = $3
ON CONFLICT (video_id, field_id, list_id) DO UPDATE
SET value_text = excluded.value_text,
    value_numeric = excluded.value_numeric,
    value_boolean = excluded.value_boolean,
    value_date = excluded.value_date,
    value_options = excluded.value_options
RETURNING fv.*;

-- name: set_many
-- Set a batch of (video, field, value) rows in one statement, all or nothing.
-- The rows are written in key order so that concurrent overlapping batches lock rows in the
-- same order. A field that is not in the list leaves field_type NULL; the fill-in trigger then
-- takes it from the field, keeps list_id $1, and the row fails video_field_values_field_fkey.
-- Answers how many rows it wrote.
WITH written AS (
    INSERT INTO video_field_values AS fv
        (video_id, field_id, list_id, field_type, video_created_at, value_text, value_numeric,
         value_boolean, value_date, value_options)
    SELECT b.video_id, b.field_id, $1, f.field_type,
           -- A probe per row: a join may hash every video of the list to find a thousand.
           (SELECT v.created_at FROM videos AS v WHERE v.list_id = $1 AND v.id = b.video_id),
           b.value_text, b.value_numeric, b.value_boolean, b.value_date,
           -- Arrays of different lengths cannot make one text[][]: each comes as JSON text.
           CASE WHEN b.value_options IS NOT NULL
                THEN ARRAY(SELECT jsonb_array_elements_text(b.value_options::jsonb)) END
    FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::boolean[], $7::date[],
                $8::text[])
             AS b (video_id, field_id, value_text, value_numeric, value_boolean, value_date,
                   value_options)
    LEFT JOIN custom_fields AS f ON f.id = b.field_id AND f.list_id = $1
    ORDER BY b.video_id, b.field_id
    ON CONFLICT (video_id, field_id, list_id) DO UPDATE
    SET value_text = excluded.value_text,
        value_numeric = excluded.value_numeric,
        value_boolean = excluded.value_boolean,
        value_date = excluded.value_date,
        value_options = excluded.value_options
    RETURNING 1
)
SELECT count(*) FROM written;

-- name: batch_problems
-- Why a batch ($2..$8, as set_many takes it) was refused.
-- Answers each item (index from 0) whose field or video is not in list $1, that repeats an
-- earlier item's (video, field), or whose value breaks a rule, named by
-- field_value_broken_rule() with its sentence.
SELECT checked.index, checked.video_id, checked.field_id, checked.field_missing,
       checked.video_missing, checked.repeated, checked.rule,
       field_value_problem(checked.rule, checked.field, checked.value) AS problem
FROM (
    SELECT item.index, item.video_id, item.field_id, item.field_missing, item.video_missing,
           item.repeated, item.field, item.value,
           field_value_broken_rule(item.field, item.value) AS rule
    FROM (
        SELECT b.index - 1 AS index, b.video_id, b.field_id, f.id IS NULL AS field_missing,
               v.id IS NULL AS video_missing,
               row_number() OVER (PARTITION BY b.video_id, b.field_id ORDER BY b.index) > 1
                   AS repeated,
               f AS field,
               -- The row set_many would write (jsonb carries every column's type as is).
               jsonb_populate_record(NULL::video_field_values, jsonb_build_object(
                   'video_id', b.video_id, 'field_id', b.field_id, 'list_id', $1::uuid,
                   'field_type', f.field_type, 'value_text', b.value_text,
                   'value_numeric', b.value_numeric, 'value_boolean', b.value_boolean,
                   'value_date', b.value_date, 'value_options', b.value_options::jsonb))
                   AS value
        FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::boolean[],
                    $7::date[], $8::text[])
                 WITH ORDINALITY
                 AS b (video_id, field_id, value_text, value_numeric, value_boolean, value_date,
                       value_options, index)
        LEFT JOIN custom_fields AS f ON f.id = b.field_id AND f.list_id = $1
        LEFT JOIN videos AS v ON v.list_id = $1 AND v.id = b.video_id
    ) AS item
) AS checked
WHERE checked.field_missing OR checked.video_missing OR checked.repeated
      OR checked.rule IS NOT NULL
ORDER BY checked.index;

-- name: clear_one
-- Clear a video's value for a field; also tells whether the video and the field exist.
WITH deleted AS (
    DELETE FROM video_field_values
    WHERE list_id = $1 AND video_id = $2 AND field_id = $3
    RETURNING 1
)
SELECT EXISTS (SELECT FROM videos WHERE list_id = $1 AND id = $2) AS video_exists,
       EXISTS (SELECT FROM custom_fields WHERE list_id = $1 AND id = $3) AS field_exists,
       (SELECT count(*) FROM deleted) AS cleared;

-- name: take_batch_turn
-- Wait until no other batch writes in this list, and keep it so to the end of the transaction.
-- It takes an advisory lock of class 1 ("value batches") on the list, for a bulk edit that both
-- sets and clears: it locks its rows in key order (lock_edit), but runs several statements, and
-- a row another batch inserted in between could still cross them.
SELECT pg_advisory_xact_lock(1, hashtext($1::uuid::text));

-- name: share_batch_turn
-- Wait only for a bulk edit that both sets and clears (take_batch_turn).
-- For a batch written in one statement in key order: such batches run side by side. A single
-- value is written beside them all: holding one row, its writer cannot close a cycle.
SELECT pg_advisory_xact_lock_shared(1, hashtext($1::uuid::text));

-- name: lock_edit
-- Lock the rows of a bulk edit that both sets and clears, in key order, before it writes.
-- Answers each row's ctid and whether it is to be cleared. set_many and clear_many each lock in
-- key order, but one after the other they took the edit's keys in two runs, and two edits
-- crossing (one setting what the other clears) deadlocked.
SELECT k.ctid, c.clear
FROM video_field_values AS k
JOIN unnest($2::uuid[], $3::uuid[], $4::boolean[]) AS c (video_id, field_id, clear)
    ON k.video_id = c.video_id AND k.field_id = c.field_id
WHERE k.list_id = $1
ORDER BY k.video_id, k.field_id
FOR UPDATE OF k;

-- name: clear_locked
-- Clear the rows lock_edit locked to be cleared, and return their keys.
-- A ctid cannot change while this transaction holds its row's lock. A row that appeared since
-- is left alone: the edit takes effect as of its lock, and waiting for that row could deadlock
-- again.
DELETE FROM video_field_values
WHERE list_id = $1 AND ctid = ANY ($2::tid[])
RETURNING video_id, field_id;

-- name: clear_many
-- Clear a batch of (video, field) values of a list, and return the keys that had a value.
-- The rows are locked in key order first, like set_many writes them and the deletes of a video,
-- field or list lock them, so that overlapping writes and deletes never deadlock (a DELETE
-- alone removes rows in whatever order its plan meets them). The rows are then found again by
-- ctid, which cannot change while this transaction holds their lock.
DELETE FROM video_field_values AS fv
USING (
    SELECT k.ctid
    FROM video_field_values AS k
    JOIN unnest($2::uuid[], $3::uuid[]) AS c (video_id, field_id)
        ON k.video_id = c.video_id AND k.field_id = c.field_id
    WHERE k.list_id = $1
    ORDER BY k.video_id, k.field_id
    FOR UPDATE OF k
) AS locked
WHERE fv.ctid = locked.ctid AND fv.list_id = $1
RETURNING fv.video_id, fv.field_id;

-- name: clear_field
-- Clear one field on many videos of a list.
-- The rows are locked in key order first (see clear_many).
DELETE FROM video_field_values AS fv
USING (
    SELECT k.ctid
    FROM video_field_values AS k
    WHERE k.list_id = $1 AND k.field_id = $2 AND k.video_id = ANY($3::uuid[])
    ORDER BY k.video_id, k.field_id
    FOR UPDATE
) AS locked
WHERE fv.ctid = locked.ctid AND fv.list_id = $1
RETURNING fv.video_id;

-- name: missing_videos
-- The ids among $2 that are not videos of list $1 (to name them in a refusal).
SELECT wanted.id
FROM unnest($2::uuid[]) AS wanted (id)
WHERE NOT EXISTS (SELECT FROM videos AS v WHERE v.list_id = $1 AND v.id = wanted.id);

-- name: fields_of_video
-- Every field that applies to a video, with the video's value or NULLs.
-- The fields are the live fields of its tags' schemas, each once, in display order. One row
-- with NULL field_id when none apply, and no row when the video is not in the list. Each table
-- is read in list $1 (the keys hold list_id last, and a value row is read from the heap either
-- way), and once: the fields read a second time for their names cost 8-11% of the statement at
-- 100k.
SELECT v.id AS video_id, a.field_id, a.name, a.field_type, a.config, a.display_order,
       a.show_on_card, fv.value_text, fv.value_numeric, fv.value_boolean, fv.value_date,
       fv.value_options, fv.updated_at
FROM videos AS v
LEFT JOIN LATERAL (
    SELECT f.id AS field_id, f.name, f.field_type, f.config,
           min(sf.display_order) AS display_order, bool_or(sf.show_on_card) AS show_on_card
    FROM video_tags AS vt
    JOIN tags AS t ON t.id = vt.tag_id AND t.list_id = $1
    JOIN schema_fields AS sf ON sf.schema_id = t.schema_id AND sf.list_id = $1
    -- A deleted field keeps its places in schemas until its purge removes them.
    JOIN custom_fields AS f ON f.id = sf.field_id AND f.list_id = $1 AND f.deleted_at IS NULL
    WHERE vt.video_id = v.id AND vt.list_id = $1
    GROUP BY f.id, f.list_id
) AS a ON true
LEFT JOIN video_field_values AS fv
    ON fv.video_id = v.id AND fv.field_id = a.field_id AND fv.list_id = $1
WHERE v.list_id = $1 AND v.id = $2
ORDER BY a.display_order, lower(a.name), a.field_id;

-- name: values_of_videos
-- The values of some fields ($2) on some videos ($3) of a list, for a page's include_fields.
-- One row per value, and one with NULL video_id per field that has none of them, so that a
-- field id not in the list is told apart from a field without values.
-- Each video's values are read at once, one descent of the primary key per video, and kept when
-- their field is asked for: joined per field, the key was descended once per video and field
-- (50 videos x 5 fields at 1M: 900 buffers, 0.42 ms; this way 179, 0.27 ms). The CTE keeps the
-- join from turning back into that. The values are read from the heap either way, so naming
-- their list costs nothing.
WITH held AS MATERIALIZED (
    SELECT fv.field_id, fv.video_id, fv.value_text, fv.value_numeric, fv.value_boolean,
           fv.value_date, fv.value_options
    FROM video_field_values AS fv
    WHERE fv.video_id = ANY($3::uuid[]) AND fv.list_id = $1
      AND array_position($2::uuid[], fv.field_id) IS NOT NULL
)
SELECT f.id AS field_id, f.field_type, h.video_id, h.value_text, h.value_numeric,
       h.value_boolean, h.value_date, h.value_options
FROM custom_fields AS f
LEFT JOIN held AS h ON h.field_id = f.id
WHERE f.list_id = $1 AND f.id = ANY($2::uuid[]);
