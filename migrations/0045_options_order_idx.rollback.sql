-- Undo 0045_options_order_idx.
DROP INDEX video_field_values_options_order_idx;
