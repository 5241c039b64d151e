-- Undo 0062_options_order_keyset: the second option held NULLS FIRST, as 0050 made it.
DROP INDEX video_field_values_options_order_idx;
CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]), (value_options[2]) NULLS FIRST,
     (cardinality(value_options) > 2), video_created_at, video_id)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options, '
    'those of at most two options by creation (valued_options_field, valued_options_keys, '
    'options_split_* and order_options_* in sql/video_search.sql).';
ANALYZE video_field_values;
