-- Undo 0019_tags_unset_by_trigger: the key clears schema_id itself again.
ALTER TABLE tags DROP CONSTRAINT tags_schema_fkey;
ALTER TABLE tags ADD CONSTRAINT tags_schema_fkey FOREIGN KEY (list_id, schema_id)
    REFERENCES field_schemas (list_id, id) ON DELETE SET NULL (schema_id);
DROP TRIGGER field_schemas_unset_schema_of_tags ON field_schemas;
DROP FUNCTION unset_schema_of_tags();
