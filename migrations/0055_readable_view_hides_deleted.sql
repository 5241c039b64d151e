-- video_field_values_readable showed the values of a deleted list or field until the purge
-- took them, under the same names as live ones (a new "Mood" beside the deleted "Mood's"
-- values) to a role that row-level security does not restrict (make psql as a superuser).
-- The view is what psql readers are given: a deleted list or field is gone from it at once,
-- as from the API (its rows stay in video_field_values, with deleted_at on the list or field,
-- until the purge).
-- depends: 0054_app_role_exactly

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
JOIN custom_fields AS f ON f.id = fv.field_id
WHERE l.deleted_at IS NULL AND f.deleted_at IS NULL;
COMMENT ON VIEW video_field_values_readable IS
    'Field values as a person reads them: list, video, field name and type, the value as text '
    '(not those of a deleted list or field).';
