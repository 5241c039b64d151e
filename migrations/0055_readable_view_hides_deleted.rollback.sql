-- Undo 0055_readable_view_hides_deleted: the view shows deleted lists' and fields' values.
CREATE OR REPLACE VIEW video_field_values_readable WITH (security_invoker = true) AS
SELECT l.name AS list_name,
       v.youtube_id,
       v.title AS video_title,
       f.name AS field_name,
       f.field_type,
       coalesce(fv.value_text, fv.value_numeric::text, fv.value_boolean::text,
                to_char(fv.value_date, 'YYYY-MM-DD'), array_to_string(fv.value_options, ', '))
           AS value,
       fv.updated_at,
       fv.list_id,
       fv.video_id,
       fv.field_id
FROM video_field_values AS fv
JOIN bookmark_lists AS l ON l.id = fv.list_id
JOIN videos AS v ON v.id = fv.video_id
JOIN custom_fields AS f ON f.id = fv.field_id;
COMMENT ON VIEW video_field_values_readable IS
    'Field values as a person reads them: list, video, field name and type, the value as text.';
