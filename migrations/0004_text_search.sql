-- Substring and prefix search on text fields without reading the field's every value.
-- contains: a trigram index finds the rows whose text holds the substring's trigrams (pg_trgm
-- ships with PostgreSQL as a trusted extension: a database owner may create it).
-- starts_with: a btree in the "C" collation, whose order is byte order in any database, so a
-- prefix is one index range (the planner turns LIKE 'abc%' into >= 'abc' AND < 'abd').
-- Both cover text fields only: select values are compared whole.
-- depends: 0003_is_blank_vertical_tab
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX video_field_values_text_trgm_idx ON video_field_values
    USING gin (value_text gin_trgm_ops) WHERE field_type = 'text';
COMMENT ON INDEX video_field_values_text_trgm_idx IS
    'Serves "contains" on a text field: value_text ILIKE ''%x%'' (trigrams; the heap rechecks).';

CREATE INDEX video_field_values_text_prefix_idx ON video_field_values
    (field_id, (value_text COLLATE "C"), video_created_at, video_id) WHERE field_type = 'text';
COMMENT ON INDEX video_field_values_text_prefix_idx IS
    'Serves "starts_with" on a text field: field_id = F AND value_text COLLATE "C" LIKE ''x%'', '
    'one range read from the index alone.';
