-- Facets of a list's videos: for some fields, what the videos matching the filters hold. Each
-- facet is one statement, so one snapshot. Every statement answers rows of one shape:
--   kind 'total': count = the matching videos;
--   kind 'field': one per field asked for, with its type and config (from the same snapshot),
--     count = the matching videos holding a value, and min/max/avg of a number, min/max of a
--     date;
--   kind 'value': one per value held (select, rating, boolean) or option held (multi_select),
--     with how many matching videos hold it.

-- name: facets_of_list
-- Facets over every video of list $1 for fields $2, from the kept counts (no video is read).
-- They give the total, each field's filled count and a number's or a date's figures, and the
-- counts per value or option. The fields' rows carry their types: no lookup of the fields runs
-- before it. The fields and their counts are each read once: a read per branch repeated each
-- read's row-level security checks (facets_rating 0.32 -> 0.27 ms at 100k, RLS on/off 1.14x ->
-- 1.10x).
WITH asked AS MATERIALIZED (
    SELECT f.id, f.list_id, f.field_type, f.config
    FROM custom_fields AS f
    WHERE f.list_id = $1 AND f.id = ANY($2::uuid[])
), counted AS MATERIALIZED (
    -- Per field and value (a number's one row holds none), its slots summed.
    SELECT c.field_id, c.value_text, c.value_numeric, c.value_boolean,
           sum(c.count) AS count, sum(c.sum_numeric) AS sum_numeric
    FROM field_value_counts AS c
    WHERE c.list_id = $1 AND c.field_id = ANY($2::uuid[])
    GROUP BY c.field_id, c.value_text, c.value_numeric, c.value_boolean
)
SELECT 'total' AS kind, NULL::uuid AS field_id, NULL::field_type AS field_type,
       NULL::jsonb AS config,
       NULL::text AS value_text, NULL::numeric AS value_numeric, NULL::boolean AS value_boolean,
       (SELECT coalesce(sum(l.count), 0) FROM list_video_counts AS l WHERE l.list_id = $1)::bigint
           AS count,
       NULL::numeric AS min_numeric, NULL::numeric AS max_numeric, NULL::numeric AS avg_numeric,
       NULL::date AS min_date, NULL::date AS max_date
UNION ALL
-- A field's filled count: every count of it but a multi_select's per-option ones (its row
-- without a value counts the videos holding any, as field_fill does). A number's avg: its
-- kept sum over its count (no value is read: reading every value for it took 90-257 ms at 1M).
SELECT 'field', a.id, a.field_type, a.config, NULL, NULL, NULL,
       (SELECT coalesce(sum(k.count), 0) FROM counted AS k
        WHERE k.field_id = a.id AND (a.field_type <> 'multi_select' OR k.value_text IS NULL)
       )::bigint,
       numbers.min_numeric, numbers.max_numeric,
       (SELECT round(sum(k.sum_numeric) / nullif(sum(k.count), 0), 2) FROM counted AS k
        WHERE a.field_type = 'number' AND k.field_id = a.id
          AND k.value_text IS NULL AND k.value_numeric IS NULL AND k.value_boolean IS NULL),
       dates.min_date, dates.max_date
FROM asked AS a
-- A number's or a date's min and max: the ends of its value index. Each reads only for its
-- own type (the type test gates the scans). The ends are read as ORDER BY ... LIMIT 1, not
-- min() and max(): planned generically, field and list each a parameter, the planner
-- expected one value and aggregated the field's every value instead (7-9 ms at 100k).
LEFT JOIN LATERAL (
    SELECT (SELECT fv.value_numeric FROM video_field_values AS fv
            WHERE a.field_type = 'number' AND fv.field_id = a.id AND fv.list_id = a.list_id
              AND fv.value_numeric IS NOT NULL
            ORDER BY fv.value_numeric LIMIT 1) AS min_numeric,
           (SELECT fv.value_numeric FROM video_field_values AS fv
            WHERE a.field_type = 'number' AND fv.field_id = a.id AND fv.list_id = a.list_id
              AND fv.value_numeric IS NOT NULL
            ORDER BY fv.value_numeric DESC LIMIT 1) AS max_numeric
) AS numbers ON true
LEFT JOIN LATERAL (
    SELECT (SELECT fv.value_date FROM video_field_values AS fv
            WHERE a.field_type = 'date' AND fv.field_id = a.id AND fv.list_id = a.list_id
              AND fv.value_date IS NOT NULL
            ORDER BY fv.value_date LIMIT 1) AS min_date,
           (SELECT fv.value_date FROM video_field_values AS fv
            WHERE a.field_type = 'date' AND fv.field_id = a.id AND fv.list_id = a.list_id
              AND fv.value_date IS NOT NULL
            ORDER BY fv.value_date DESC LIMIT 1) AS max_date
) AS dates ON true
UNION ALL
SELECT 'value', k.field_id, NULL, NULL, k.value_text, k.value_numeric, k.value_boolean,
       k.count::bigint, NULL, NULL, NULL, NULL, NULL
FROM asked AS a
JOIN counted AS k ON k.field_id = a.id
WHERE (is_counted_by_value(a.field_type)
       OR (a.field_type = 'multi_select' AND k.value_text IS NOT NULL))  -- its options
  AND k.count > 0

-- name: facets_open
-- Facets over the videos of list :list_id matching the filters.
-- The matching videos are read once, with their creation time (the key of a multi_select's
-- options in their index). Each filter's fragment (sql/video_search.sql) follows, AND-ed.
WITH matching AS MATERIALIZED (
    SELECT v.id, v.created_at FROM videos AS v WHERE v.list_id = :list_id

-- name: facets_driven_open
-- Facets over the videos of the driving equality's stream, each other filter AND-ed.
-- The stream is one of the stream_* fragments of sql/video_search.sql: one range of a value
-- index, or the ranges of an "in". No video row is read: the field was checked to be the
-- list's, and the values' foreign key keeps every video in it (reading each video by key took
-- 44 of 240 ms at 1M for 5,000 matches).
WITH matching AS MATERIALIZED (
    SELECT v.id, v.created_at
    FROM (SELECT d.video_id AS id, d.video_created_at AS created_at FROM (

-- name: facets_read_open
-- Instead of the equality's stream, the matches of a text range, read by its index.
-- The index is its trigram or prefix index, read in no order by its range_text_* fragment,
-- which ends this parenthesis.
SELECT fv.video_created_at, fv.video_id FROM (

-- name: facets_driven_close
-- Ends the stream; the other filters follow.
) AS d) AS v WHERE true

-- name: facets_close
-- Ends the matching videos, then gives the rows of facets_of_list for fields :field_ids.
-- They are counted over the values those videos hold: of :scalar_field_ids in their own
-- columns, of :option_field_ids (the multi_selects) in their option sets.
), counted AS (
    -- How many videos match: the total, and how to read their values.
    SELECT count(*) AS matched FROM matching
), sizes AS (
    -- Whether the matching videos are few enough to read their values one video at a time: at
    -- most 1/:probed_share of the list's videos (its kept count).
    SELECT (SELECT c.matched FROM counted AS c) * :probed_share
               <= (SELECT coalesce(sum(l.count), 0) FROM list_video_counts AS l
                   WHERE l.list_id = :list_id) AS few
), held AS (
    -- The matching videos' values of the scalar fields, counted per distinct value in one pass
    -- (a pass per kind of row hashed the 11,565 values of 5,046 videos x 3 fields three times
    -- at 1M). A text's or url's value is not kept: its facet is filled and empty only. Read
    -- from the primary key alone, which carries the scalar values (0030).
    SELECT fv.field_id, fv.field_type,
           CASE WHEN fv.field_type = 'select' THEN fv.value_text END AS value_text,
           fv.value_numeric, fv.value_boolean, fv.value_date, count(*) AS count
    FROM (
        -- The values are read one of two ways, picked by the count of matching videos as the
        -- statement runs (each way's one-time filter skips the other). Few: one descent of
        -- the primary key per video (~5 us at 1M, OFFSET 0 keeps it a probe). More: the
        -- fields' every value in one pass, hashed against them (~1.3 s at 1M, whatever the
        -- count). Left to its estimates, the planner hashed 75,000 videos of "Status = done"
        -- against the values' seq scan at 1M: 1.8 s where probing them takes 0.66.
        SELECT of_video.*
        FROM matching AS m
        CROSS JOIN LATERAL (
            SELECT per_video.field_id, per_video.field_type, per_video.value_text,
                   per_video.value_numeric, per_video.value_boolean, per_video.value_date
            FROM video_field_values AS per_video
            WHERE per_video.video_id = m.id AND per_video.field_id = ANY(:scalar_field_ids)
              AND per_video.list_id = :list_id
            OFFSET 0
        ) AS of_video
        WHERE cardinality(:scalar_field_ids::uuid[]) > 0 AND (SELECT s.few FROM sizes AS s)
        UNION ALL
        SELECT in_one_pass.field_id, in_one_pass.field_type, in_one_pass.value_text,
               in_one_pass.value_numeric, in_one_pass.value_boolean, in_one_pass.value_date
        FROM matching AS m
        JOIN video_field_values AS in_one_pass
          ON in_one_pass.video_id = m.id AND in_one_pass.field_id = ANY(:scalar_field_ids)
             AND in_one_pass.list_id = :list_id
        WHERE cardinality(:scalar_field_ids::uuid[]) > 0 AND NOT (SELECT s.few FROM sizes AS s)
    ) AS fv
    GROUP BY 1, 2, 3, 4, 5, 6
), options_held AS (
    -- The matching videos' options of the multi_selects: how many hold each option, and (a
    -- video's first option counting it once) how many hold any. Read from the options' own
    -- index (video_field_values_options_recent_idx carries them), the same two ways. Grouped
    -- by video and read from the table afterwards, they were hashed against the whole table
    -- (at 1M under "Watched = true", 150,110 videos: 1.2 of 1.9 s). A kind of field not asked
    -- for is not read: the planner drops its ways (the array is a constant of a custom plan).
    SELECT fv.field_id, held.option, count(*) AS count,
           count(*) FILTER (WHERE held.position = 1) AS holding
    FROM (
        SELECT of_video.*
        FROM matching AS m
        CROSS JOIN LATERAL (
            SELECT per_video.field_id, per_video.value_options
            FROM video_field_values AS per_video
            WHERE per_video.field_id = ANY(:option_field_ids) AND per_video.list_id = :list_id
              AND per_video.field_type = 'multi_select'
              AND per_video.video_created_at = m.created_at AND per_video.video_id = m.id
            OFFSET 0
        ) AS of_video
        WHERE cardinality(:option_field_ids::uuid[]) > 0 AND (SELECT s.few FROM sizes AS s)
        UNION ALL
        SELECT in_one_pass.field_id, in_one_pass.value_options
        FROM matching AS m
        JOIN video_field_values AS in_one_pass
          ON in_one_pass.video_id = m.id AND in_one_pass.field_id = ANY(:option_field_ids)
             AND in_one_pass.list_id = :list_id AND in_one_pass.field_type = 'multi_select'
        WHERE cardinality(:option_field_ids::uuid[]) > 0 AND NOT (SELECT s.few FROM sizes AS s)
    ) AS fv
    CROSS JOIN LATERAL unnest(fv.value_options) WITH ORDINALITY AS held (option, position)
    GROUP BY fv.field_id, held.option
)
SELECT 'total' AS kind, NULL::uuid AS field_id, NULL::field_type AS field_type,
       NULL::jsonb AS config,
       NULL::text AS value_text, NULL::numeric AS value_numeric, NULL::boolean AS value_boolean,
       (SELECT c.matched FROM counted AS c) AS count,
       NULL::numeric AS min_numeric, NULL::numeric AS max_numeric, NULL::numeric AS avg_numeric,
       NULL::date AS min_date, NULL::date AS max_date
UNION ALL
-- Each field's figures are aggregated before its row is joined: grouping by the config (jsonb)
-- sorted every held value. The avg weighs each distinct number by its count.
SELECT 'field', f.id, f.field_type, f.config, NULL, NULL, NULL, coalesce(a.filled, 0),
       a.min_numeric, a.max_numeric, a.avg_numeric, a.min_date, a.max_date
FROM custom_fields AS f
LEFT JOIN (
    SELECT h.field_id, sum(h.count) AS filled, min(h.value_numeric) AS min_numeric,
           max(h.value_numeric) AS max_numeric,
           round(sum(h.value_numeric * h.count)
                 / sum(h.count) FILTER (WHERE h.value_numeric IS NOT NULL), 2) AS avg_numeric,
           min(h.value_date) AS min_date, max(h.value_date) AS max_date
    FROM held AS h
    GROUP BY h.field_id
    UNION ALL
    SELECT o.field_id, sum(o.holding), NULL, NULL, NULL, NULL, NULL
    FROM options_held AS o
    GROUP BY o.field_id
) AS a ON a.field_id = f.id
WHERE f.list_id = :list_id AND f.id = ANY(:field_ids)
UNION ALL
-- A select, rating or boolean value counts as itself, a multi_select as each of its options.
SELECT 'value', h.field_id, NULL, NULL, h.value_text, h.value_numeric, h.value_boolean, h.count,
       NULL, NULL, NULL, NULL, NULL
FROM held AS h
WHERE is_counted_by_value(h.field_type)
UNION ALL
SELECT 'value', o.field_id, NULL, NULL, o.option, NULL, NULL, o.count,
       NULL, NULL, NULL, NULL, NULL
FROM options_held AS o
