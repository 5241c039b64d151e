-- Undo 0050_options_order_by_creation: the index by the first two options alone, as 0045 made it.
DROP INDEX video_field_values_options_order_idx;
CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]), (value_options[2]) NULLS FIRST)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options '
    '(valued_options_field and order_options_* in sql/video_search.sql).';
