-- Back to 0001's triggers: every UPDATE moves updated_at, changed or not.

DROP TRIGGER bookmark_lists_set_timestamps ON bookmark_lists;
CREATE TRIGGER bookmark_lists_set_timestamps BEFORE UPDATE ON bookmark_lists
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER videos_set_timestamps ON videos;
CREATE TRIGGER videos_set_timestamps BEFORE UPDATE ON videos
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER custom_fields_set_timestamps ON custom_fields;
CREATE TRIGGER custom_fields_set_timestamps BEFORE UPDATE ON custom_fields
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER field_schemas_set_timestamps ON field_schemas;
CREATE TRIGGER field_schemas_set_timestamps BEFORE UPDATE ON field_schemas
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER schema_fields_set_timestamps ON schema_fields;
CREATE TRIGGER schema_fields_set_timestamps BEFORE UPDATE ON schema_fields
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER tags_set_timestamps ON tags;
CREATE TRIGGER tags_set_timestamps BEFORE UPDATE ON tags
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER video_tags_set_timestamps ON video_tags;
CREATE TRIGGER video_tags_set_timestamps BEFORE UPDATE ON video_tags
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

DROP TRIGGER video_field_values_set_timestamps ON video_field_values;
CREATE TRIGGER video_field_values_set_timestamps BEFORE UPDATE ON video_field_values
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

COMMENT ON FUNCTION set_timestamps() IS
    'Trigger: keeps created_at fixed and moves updated_at on every UPDATE.';
COMMENT ON FUNCTION set_one_value(uuid, uuid, uuid, text, numeric, boolean, date, text[]) IS
    'Set a video''s value for a field (insert, or replace and move updated_at), one of the five '
    'values given; no row when the field is not in the list. One generic plan per connection.';
