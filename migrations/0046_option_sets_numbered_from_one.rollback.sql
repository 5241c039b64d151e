-- Undo 0046_option_sets_numbered_from_one (values renumbered stay so).
CREATE OR REPLACE FUNCTION is_option_set(value text[]) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT array_ndims(value) = 1
           AND cardinality(value) BETWEEN 1 AND 200
           AND NOT EXISTS (SELECT FROM unnest(value) AS option
                           WHERE option IS NULL OR is_blank(option))
           AND (SELECT count(DISTINCT option) FROM unnest(value) AS option) = cardinality(value);
END;
COMMENT ON FUNCTION is_option_set(text[]) IS
    'True for a multi_select value: 1..200 distinct, non-blank, non-null strings.';
