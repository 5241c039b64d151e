-- Setting one value keeps one plan per connection (#9: set one value <= 1 ms through the
-- repository; #12: RLS on/off within 1.15x).
--
-- The app plans every statement on every run (force_custom_plan), and set_one's planning was
-- about a fifth of the call: 0.085 ms as the owning role and 0.178 ms as the app role (the
-- policies of the three tables it reads and the write's three checks), medians of 300
-- EXPLAINs at 100k. Its plan cannot depend on the values: it reads every table by its whole
-- key. set_one_value() runs it from PL/pgSQL, which keeps each statement's plan for the
-- connection, and force_generic_plan makes that the one generic plan from the first call
-- (its triggers' statements name no variable, so they were kept already; the foreign keys'
-- checks read by the whole key too).
--
-- Planned generically, the statement's lookup of the video (list_id = $1 AND id = $2) read
-- the list's whole newest index: for an average list an index-only scan of it looks cheaper
-- than the primary key and a heap fetch, and the bench's list of 100,000 videos took 3.3 ms.
-- The primary key now holds created_at beside the key: the lookup is one index-only descent,
-- for any list, as the batch's probe per row is (its heap fetch saved).
-- depends: 0039_counts_read_the_list_once

ALTER TABLE videos DROP CONSTRAINT videos_pkey,
    ADD CONSTRAINT videos_pkey PRIMARY KEY (id, list_id) INCLUDE (created_at);

-- The statement is sql/field_values.sql's set_one_upsert, word for word (a test holds the
-- two the same, and the bench EXPLAINs that one as this runs it: generically).
CREATE FUNCTION set_one_value(list_id uuid, video_id uuid, field_id uuid, value_text text,
                              value_numeric numeric, value_boolean boolean, value_date date,
                              value_options text[])
    RETURNS SETOF video_field_values
    LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
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
END
$$;
COMMENT ON FUNCTION set_one_value(uuid, uuid, uuid, text, numeric, boolean, date, text[]) IS
    'Set a video''s value for a field (insert, or replace and move updated_at), one of the five '
    'values given; no row when the field is not in the list. One generic plan per connection.';
