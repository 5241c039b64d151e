-- Undo 0056_rows_per_list_capped: lists hold any number of fields, schemas and tags.
DROP TRIGGER custom_fields_per_list ON custom_fields;
DROP TRIGGER field_schemas_per_list ON field_schemas;
DROP TRIGGER tags_per_list ON tags;
DROP FUNCTION refuse_rows_past_list_cap();
