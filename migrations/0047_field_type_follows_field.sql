-- A value row's field decides its field_type: statistics that tell the planner so. Without
-- them it multiplies the shares of `field_id = X` and `field_type = 'multi_select'` (and of
-- `value_options IS NOT NULL`, which the type implies), and took a multi_select's 40,048
-- value rows at 100k for 248: sorted by the field under a common condition (Watched =
-- true), it read them all and sorted them (81 ms) instead of walking the field's order index
-- and probing each until the page was full (2.3 ms).
-- depends: 0046_option_sets_numbered_from_one

CREATE STATISTICS video_field_values_type_by_field (dependencies)
    ON field_id, field_type FROM video_field_values;
COMMENT ON STATISTICS video_field_values_type_by_field IS
    'field_type is a function of field_id: the planner then counts the two conditions once.';
ANALYZE video_field_values;
