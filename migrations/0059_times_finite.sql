-- A row's times are real times: 'infinity' and '-infinity', which a raw INSERT could store,
-- are refused (<table>_times_finite). A video created at 'infinity' came out of the API as
-- 9999-12-31T23:59:59.999999 with no time zone, and the page cursor made from it was refused
-- (400): its list could not be paged past it.
-- depends: 0058_config_shape_before_values

ALTER TABLE bookmark_lists ADD CONSTRAINT bookmark_lists_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at) AND isfinite(deleted_at)) NOT VALID;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at) AND isfinite(deleted_at)) NOT VALID;
ALTER TABLE field_schemas ADD CONSTRAINT field_schemas_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
ALTER TABLE schema_fields ADD CONSTRAINT schema_fields_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
ALTER TABLE tags ADD CONSTRAINT tags_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
ALTER TABLE videos ADD CONSTRAINT videos_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
ALTER TABLE video_tags ADD CONSTRAINT video_tags_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
-- video_created_at is the video's own (its foreign key).
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_times_finite
    CHECK (isfinite(created_at) AND isfinite(updated_at)) NOT VALID;
ALTER TABLE purges ADD CONSTRAINT purges_times_finite
    CHECK (isfinite(requested_at) AND isfinite(last_batch_at)) NOT VALID;

ALTER TABLE bookmark_lists VALIDATE CONSTRAINT bookmark_lists_times_finite;
ALTER TABLE custom_fields VALIDATE CONSTRAINT custom_fields_times_finite;
ALTER TABLE field_schemas VALIDATE CONSTRAINT field_schemas_times_finite;
ALTER TABLE schema_fields VALIDATE CONSTRAINT schema_fields_times_finite;
ALTER TABLE tags VALIDATE CONSTRAINT tags_times_finite;
ALTER TABLE videos VALIDATE CONSTRAINT videos_times_finite;
ALTER TABLE video_tags VALIDATE CONSTRAINT video_tags_times_finite;
ALTER TABLE video_field_values VALIDATE CONSTRAINT video_field_values_times_finite;
ALTER TABLE purges VALIDATE CONSTRAINT purges_times_finite;
