-- The label of the number field type, alone: PostgreSQL cannot use an enum value in the
-- transaction that adds it, so 0007 gives it its rules. IF NOT EXISTS, because a rollback
-- cannot remove the label (see the rollback). custom_fields_known_type names the types that
-- have rules (field_type::text: the new label cannot be used as a value here yet).
-- depends: 0005_value_counts
ALTER TYPE field_type ADD VALUE IF NOT EXISTS 'number';
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean', 'number'));
