-- The labels of the date and url field types, alone (see 0006): 0009 gives them their rules.
-- depends: 0007_number_fields
ALTER TYPE field_type ADD VALUE IF NOT EXISTS 'date';
ALTER TYPE field_type ADD VALUE IF NOT EXISTS 'url';
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean', 'number', 'date', 'url'));
