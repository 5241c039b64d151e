-- Video search: the only SQL assembled at run time, and only from these fixed fragments.
-- app/repositories/video_search.py picks fragments by whitelisted names and joins them as
--   page_open + head_<sort> [+ AND condition ...] + page_close [+ after_<...>] + order_<...> + page_limit
-- Each :name placeholder becomes a bound parameter ($n); nothing else is ever inserted.
-- Every condition is an EXISTS on video_field_values for one field, so the planner can start
-- from that value column's partial index (field_id, value_*, video_id) or probe it per video.

-- name: page_open
-- Wraps the filtered videos so the keyset and the order can name the sort key as sort_value.
SELECT id, list_id, youtube_id, title, created_at, updated_at, sort_value
FROM (

-- name: head_created_at
-- A list's videos, sorted by creation time (videos_list_newest_idx).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, v.created_at AS sort_value
FROM videos AS v
WHERE v.list_id = :list_id

-- name: head_title
-- A list's videos, sorted by title.
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, v.title AS sort_value
FROM videos AS v
WHERE v.list_id = :list_id

-- name: head_numeric_field
-- A list's videos, sorted by a rating field's value (videos without one get NULL).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, s.value_numeric AS sort_value
FROM videos AS v
LEFT JOIN video_field_values AS s ON s.video_id = v.id AND s.field_id = :sort_field_id
WHERE v.list_id = :list_id

-- name: head_text_field
-- A list's videos, sorted by a select or text field's value (videos without one get NULL).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, s.value_text AS sort_value
FROM videos AS v
LEFT JOIN video_field_values AS s ON s.video_id = v.id AND s.field_id = :sort_field_id
WHERE v.list_id = :list_id

-- name: head_boolean_field
-- A list's videos, sorted by a boolean field's value (videos without one get NULL).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, s.value_boolean AS sort_value
FROM videos AS v
LEFT JOIN video_field_values AS s ON s.video_id = v.id AND s.field_id = :sort_field_id
WHERE v.list_id = :list_id

-- name: numeric_eq
-- Rating equals the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric = :value)

-- name: numeric_ne
-- Rating is set and differs from the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric <> :value)

-- name: numeric_gt
-- Rating above the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric > :value)

-- name: numeric_gte
-- Rating at least the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric >= :value)

-- name: numeric_lt
-- Rating below the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric < :value)

-- name: numeric_lte
-- Rating at most the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_numeric <= :value)

-- name: numeric_between
-- Rating within low..high, both included.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id
          AND fv.value_numeric BETWEEN :low AND :high)

-- name: text_eq
-- Select or text value equals the value exactly.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text = :value)

-- name: text_ne
-- Select or text value is set and differs from the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text <> :value)

-- name: text_contains
-- Text value contains the value, ignoring case (strpos: no LIKE wildcards to escape).
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text IS NOT NULL
          AND strpos(lower(fv.value_text), lower(:value)) > 0)

-- name: text_starts_with
-- Text value starts with the value (case-sensitive).
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text IS NOT NULL
          AND starts_with(fv.value_text, :value))

-- name: text_in
-- Select value is one of the values.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text = ANY(:values::text[]))

-- name: text_not_in
-- Select value is set and none of the values.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_text IS NOT NULL
          AND fv.value_text <> ALL(:values::text[]))

-- name: boolean_eq
-- Boolean value equals the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.value_boolean = :value)

-- name: is_not_empty
-- The video has a value for the field (primary key probe).
EXISTS (SELECT FROM video_field_values AS fv WHERE fv.video_id = v.id AND fv.field_id = :field_id)

-- name: is_empty
-- The video has no value for the field.
NOT EXISTS (SELECT FROM video_field_values AS fv WHERE fv.video_id = v.id AND fv.field_id = :field_id)

-- name: page_close
-- Ends the wrapped query opened by page_open.
) AS found

-- name: after_asc
-- Keyset: rows after the cursor in ascending order of a never-NULL key.
WHERE (sort_value, id) > (:after_value, :after_id)

-- name: after_desc
-- Keyset: rows after the cursor in descending order of a never-NULL key.
WHERE (sort_value, id) < (:after_value, :after_id)

-- name: after_value_asc
-- Keyset on a field's value, ascending, cursor on a value: later values, then every NULL.
WHERE ((sort_value, id) > (:after_value, :after_id) OR sort_value IS NULL)

-- name: after_value_desc
-- Keyset on a field's value, descending, cursor on a value: smaller values, then every NULL.
WHERE ((sort_value, id) < (:after_value, :after_id) OR sort_value IS NULL)

-- name: after_null_asc
-- Keyset on a field's value, ascending, cursor among the NULLs (ordered by id).
WHERE sort_value IS NULL AND id > :after_id

-- name: after_null_desc
-- Keyset on a field's value, descending, cursor among the NULLs (ordered by id descending).
WHERE sort_value IS NULL AND id < :after_id

-- name: order_asc
-- Ascending by a never-NULL key (matches the index order).
ORDER BY sort_value, id

-- name: order_desc
-- Descending by a never-NULL key (matches videos_list_newest_idx).
ORDER BY sort_value DESC, id DESC

-- name: order_value_asc
-- Ascending by a field's value, videos without one last.
ORDER BY sort_value ASC NULLS LAST, id ASC

-- name: order_value_desc
-- Descending by a field's value, videos without one last.
ORDER BY sort_value DESC NULLS LAST, id DESC

-- name: page_limit
-- At most :limit rows (the caller asks one more than a page to know whether another follows).
LIMIT :limit
