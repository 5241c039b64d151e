-- The label of the multi_select field type, alone (see 0006): 0011 gives it its rules.
-- depends: 0009_date_url_fields
ALTER TYPE field_type ADD VALUE IF NOT EXISTS 'multi_select';
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean', 'number', 'date', 'url',
                         'multi_select'));
