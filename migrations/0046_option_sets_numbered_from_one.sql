-- A multi_select value is an array numbered from 1, as every writer but a hand-written
-- literal makes it. '[0:0]={x}' passed is_option_set: its value_options[1] is NULL, so
-- video_field_values_options_order_idx and a sort by the field (value_options[1],
-- value_options[2]) put it out of order, and paging through that sort lost it.
-- depends: 0045_options_order_idx

-- Renumber any such value already stored (a slice is numbered from 1): the rule is checked
-- on new rows only.
UPDATE video_field_values
SET value_options = value_options[array_lower(value_options, 1):array_upper(value_options, 1)]
WHERE array_lower(value_options, 1) <> 1;

CREATE OR REPLACE FUNCTION is_option_set(value text[]) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT array_ndims(value) = 1
           AND array_lower(value, 1) = 1
           AND cardinality(value) BETWEEN 1 AND 200
           AND NOT EXISTS (SELECT FROM unnest(value) AS option
                           WHERE option IS NULL OR is_blank(option))
           AND (SELECT count(DISTINCT option) FROM unnest(value) AS option) = cardinality(value);
END;
COMMENT ON FUNCTION is_option_set(text[]) IS
    'True for a multi_select value: 1..200 distinct, non-blank, non-null strings, numbered '
    'from 1.';
