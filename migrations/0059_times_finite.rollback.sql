-- Undo 0059_times_finite: times of 'infinity' allowed again.
ALTER TABLE bookmark_lists DROP CONSTRAINT bookmark_lists_times_finite;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_times_finite;
ALTER TABLE field_schemas DROP CONSTRAINT field_schemas_times_finite;
ALTER TABLE schema_fields DROP CONSTRAINT schema_fields_times_finite;
ALTER TABLE tags DROP CONSTRAINT tags_times_finite;
ALTER TABLE videos DROP CONSTRAINT videos_times_finite;
ALTER TABLE video_tags DROP CONSTRAINT video_tags_times_finite;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_times_finite;
ALTER TABLE purges DROP CONSTRAINT purges_times_finite;
