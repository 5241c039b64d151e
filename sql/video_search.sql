-- Video search: the only SQL assembled at run time, and only from these fixed fragments.
-- app/repositories/video_search.py picks fragments by whitelisted names and joins them as
--   page_open + <head> [+ AND condition ...] + page_close [+ after_<...>] + order_<...> + page_limit
-- Sorting by a field runs that shape up to twice: first over the videos that have a value
-- (valued_*_field, read in the order of the field's value index), then, when the page is not
-- full yet, over those that have none (unvalued_field, by id): missing values come last.
-- A walk sorted by a multi_select reads its value rows alone (valued_options_keys), in two
-- parts (the sets of at most two options, then the others), and the page is wrapped to look
-- its videos up once cut: looked_up_open + options_split_open + <page> + options_short +
-- ... + options_split_union + <page> + options_long + ... + options_split_close +
-- order_options_<dir> + page_limit + looked_up_close + order_options_<dir>.
-- Sorted by created_at, an equality condition can drive the page instead: its stream (one or
-- more ranges of a value index, each already newest first) is read only until the page is
-- full, the other conditions probed per video:
--   page_open + driven_open + stream + stream_<dir> [+ stream_union + ...] + driven_close
--   [+ AND condition ...] + page_close + ...
-- The app picks the driving condition (one equality; with several, the one probe_* finds
-- sparsest among the videos the page reads); the planner is never left to guess how
-- conditions on different rows correlate. Beside an equality, a range of a number or a date
-- with fewer matches than a cap (count_range_open + range_<op> + count_range_close counts
-- them) drives instead, its matches read and sorted as a capped range's are (below).
-- With no equality, a "contains" or "starts_with" condition can drive instead: the indexes
-- that find its matches hold no created_at order, so up to :cap of them are read, counted and
-- sorted:
--   capped_open + range_<op> + capped_close + page_open + driven_open + capped_stream +
--   stream_<dir> + driven_close [+ AND condition ...] + page_close + ... + page_limit +
--   capped_page_close + order_<dir>
-- When :cap is reached, the matches are too many to sort for a page and the app streams the
-- field's values newest first instead, checking each (stream_text_<op>, driven as an equality
-- is): at that density, the stream fills a page quickly. A range of
-- numbers, ratings or dates (gt, before, between ...) is read the same way, when the videos
-- the page would walk first show its matches to be sparse:
--   density_open [+ AND walked_open + condition + walked_close ...] + density_from +
--   page_open + head_created_at + page_close [+ after_<dir>] + order_<dir> + page_limit +
--   density_close
-- Where they are dense, or past the cap, the page walks the list, each condition wrapped in
-- walked_open + condition + walked_close so that it is probed per video.
-- Sorted by a field, an equality drives the same way: up to :cap of its matches (its ranges
-- + capped_streams_close), the page keeping the sort field's values of those videos
-- (capped_valued_match, then capped_unvalued_match for the videos without one). Many matches
-- (more than capped_close_few's `few`) are rather looked up in a hash while the field's value
-- index is walked in order (capped_valued_hashed_match); past the cap the page walks that index
-- and probes each condition by primary key.
-- Each :name placeholder becomes a bound parameter ($n); nothing else is ever inserted.
-- Every other condition is an EXISTS on video_field_values for one field, probed per video
-- through the primary key or read from that value column's partial index.

-- name: page_open
-- Wraps the filtered videos so the keyset and the order can name the sort key as sort_value.
SELECT id, list_id, youtube_id, title, created_at, updated_at, sort_value, sort_tie
FROM (

-- name: head_created_at
-- A list's videos, sorted by creation time (videos_list_newest_idx).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, v.created_at AS sort_value,
       NULL::timestamptz AS sort_tie
FROM videos AS v
WHERE v.list_id = :list_id

-- name: head_title
-- A list's videos, sorted by title (videos_list_title_idx).
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, v.title AS sort_value,
       NULL::timestamptz AS sort_tie
FROM videos AS v
WHERE v.list_id = :list_id

-- name: driven_open
-- Videos reached through the driving condition's stream of (video_created_at, video_id).
-- The page reads it newest (or oldest) first and stops when full.
SELECT v.id, video.list_id, video.youtube_id, video.title, video.created_at, video.updated_at,
       v.video_created_at AS sort_value, NULL::timestamptz AS sort_tie
FROM (

-- name: stream_numeric_eq
-- The videos whose rating equals the value: one range of video_field_values_numeric_idx.
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric = :value

-- name: stream_text_eq
-- The videos whose select or text value equals the value: one range of video_field_values_text_idx.
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text = :value

-- name: stream_boolean_eq
-- The videos whose boolean equals the value: one range of video_field_values_boolean_idx.
-- IS NOT NULL, the index's predicate, said outright: planned for the value false, "= false"
-- becomes "NOT value_boolean", from which PostgreSQL does not infer it, and the whole field
-- was read and sorted instead (370 ms at 1M).
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_boolean = :value AND fv.value_boolean IS NOT NULL

-- name: stream_date_eq
-- The videos whose date equals the value: one range of video_field_values_date_idx.
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date = :value

-- name: stream_text_contains
-- The videos whose text or url value contains the pattern, ignoring case.
-- They come in the field's order of creation: video_field_values_text_recent_idx, each value
-- checked from the index alone. For many matches (the app checked): the page stops after wanted
-- / density values. The check is hidden from the planner's estimates on purpose: `|| ''` keeps
-- the trigram index out, which finds the matches in no order (range_text_contains reads it for
-- few), and coalesce(...) makes the planner take half the values as matches. Estimated as a
-- LIKE (0.5%), the planner read the field's every value from another index and sorted the
-- matches instead: 60-185 ms at 1M, against about 1 ms for the stream.
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('text', 'url')
   AND coalesce((fv.value_text || '') ILIKE :pattern, false)

-- name: stream_text_starts_with
-- The videos whose text or url value starts with the pattern's prefix (case-sensitive).
-- They come in the field's order of creation, as stream_text_contains (`|| ''` keeps the prefix
-- index out).
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('text', 'url')
   AND coalesce((fv.value_text || '') COLLATE "C" LIKE :pattern, false)

-- name: stream_range_open
-- The videos whose number or date value matches a range (a checked_* fragment follows).
-- They come in the field's order of creation: video_field_values_range_recent_idx, each value
-- checked from the index alone. For many matches (the app checked): the page stops after wanted
-- / density values. A check adds `+ 0` to the value, which keeps the value index out of the
-- planner's choice: that index finds the matches in no order (range_* reads it for few).
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('number', 'date')

-- name: checked_numeric_gt
-- A number above the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_numeric + 0) > :value

-- name: checked_numeric_gte
-- A number at least the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_numeric + 0) >= :value

-- name: checked_numeric_lt
-- A number below the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_numeric + 0) < :value

-- name: checked_numeric_lte
-- A number at most the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_numeric + 0) <= :value

-- name: checked_numeric_between
-- A number within low..high, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_numeric + 0) BETWEEN :low AND :high

-- name: checked_date_before
-- A date before the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_date + 0) < :value

-- name: checked_date_after
-- A date after the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_date + 0) > :value

-- name: checked_date_on_or_before
-- A date on or before the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_date + 0) <= :value

-- name: checked_date_on_or_after
-- A date on or after the value, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_date + 0) >= :value

-- name: checked_date_between
-- A date within low..high, checked on a streamed or sampled value (stream_range_open).
   AND (fv.value_date + 0) BETWEEN :low AND :high

-- name: stream_text_open
-- The videos whose text or url value matches, in the field's order of creation.
-- The check follows: checked_text_ne, or nothing for is_not_empty. The stream reads
-- video_field_values_text_recent_idx, each value checked from the index alone. No index finds
-- these matches but the field's own stream: it reads the field's values only, where the walk
-- would probe every video of the list.
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('text', 'url')

-- name: checked_text_ne
-- A text other than the value, checked on a streamed value (`|| ''`: as stream_text_contains).
   AND (fv.value_text || '') <> :value

-- name: checked_numeric_ne
-- A number other than the value, checked on a streamed value (stream_range_open).
   AND (fv.value_numeric + 0) <> :value

-- name: checked_date_ne
-- A date other than the value, checked on a streamed value (stream_range_open).
   AND (fv.value_date + 0) <> :value

-- name: stream_options_open
-- The videos whose multi_select value matches (a checked_options_* fragment follows).
-- They come in the field's order of creation: video_field_values_options_recent_idx, each array
-- checked from the index alone, as stream_range_open. A check reads the array through
-- coalesce(), which keeps the options' GIN index out of the planner's choice: it finds the
-- matches in no order (range_options_* reads it for few).
(SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
 WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type = 'multi_select'

-- name: checked_options_has_any
-- An array holding one of the options at least, checked on a streamed or sampled value.
   AND coalesce(fv.value_options, '{}') && :values::text[]

-- name: checked_options_has_all
-- An array holding every one of the options, checked on a streamed or sampled value.
   AND coalesce(fv.value_options, '{}') @> :values::text[]

-- name: checked_options_has_none
-- An array holding none of the options, checked on a streamed or sampled value.
   AND NOT coalesce(fv.value_options, '{}') && :values::text[]

-- name: absent_open
-- A stream of the list's videos that have no value for a field.
-- It goes between driven_open and driven_close. The field's values follow, all of them in the
-- page's order (its streams, with absent_after_* on a later page), then absent_<dir>. Both
-- sides are read in the same order from index entries alone, so PostgreSQL takes the videos
-- less the values in one merge anti join, where the walk probed every video (an is_empty that
-- holds for few videos: 1M walked to find 5). Only the page's videos are then read.
(SELECT v.created_at AS video_created_at, v.id AS video_id FROM videos AS v
 WHERE v.list_id = :list_id AND NOT EXISTS (SELECT FROM (

-- name: absent_after_desc
-- A streamed value older than the cursor, where the page's videos start (newest first).
   AND (fv.video_created_at, fv.video_id) < (:after_value, :after_id)

-- name: absent_after_asc
-- A streamed value newer than the cursor, where the page's videos start (oldest first).
   AND (fv.video_created_at, fv.video_id) > (:after_value, :after_id)

-- name: absent_desc
-- Ends the field's values (a video is kept when none of them is its own), newest first.
) AS valued WHERE valued.video_created_at = v.created_at AND valued.video_id = v.id)
 ORDER BY v.created_at DESC, v.id DESC)

-- name: absent_asc
-- Ends the field's values, oldest first.
) AS valued WHERE valued.video_created_at = v.created_at AND valued.video_id = v.id)
 ORDER BY v.created_at, v.id)

-- name: stream_desc
-- Ends one range, newest first (its index read backwards).
-- Each range is ordered on its own so that the ranges of a select's "in" are merged in order
-- (Merge Append), not sorted whole. Each range names its field and list (the value indexes hold
-- both: migration 0027), so it is read from the index alone, and under Citus from the list's
-- shard.
 ORDER BY fv.video_created_at DESC, fv.video_id DESC)

-- name: stream_asc
-- Ends one range, oldest first.
 ORDER BY fv.video_created_at, fv.video_id)

-- name: stream_union
-- Joins the ranges of one condition (a select's "in"); the page merges them in order.
UNION ALL

-- name: held_switch_open
-- Opens the read of held values that can switch the page's statements to one generic plan.
-- A page driven by one condition alone, as the values it holds, plans the same for any values
-- (as an "in" does: plans.plan_generically). With :switch not null and the values complete
-- (fewer than :most), this read switches the statements after it to one generic plan, for the
-- transaction (or the connection when :switch is false), so the switch takes no round trip.
SELECT held.condition, held.value_text, held.value_numeric,
       CASE WHEN :switch::boolean IS NOT NULL AND count(*) OVER () < :most
            THEN set_config('plan_cache_mode', 'force_generic_plan', :switch::boolean) END
           AS plan_cache_mode
FROM (

-- name: held_switch_close
-- Ends the read that switches.
) AS held

-- name: held_numeric_open
-- The distinct numbers a field's videos hold (within a range), from the kept counts, in order.
-- At most :most of them, tagged with the condition's number: a range over a few values (a
-- rating above 3) drives a page as one stream per value, merged newest first.
(SELECT :condition::integer AS condition, c.value_text, c.value_numeric
 FROM field_value_counts AS c
 WHERE c.field_id = :field_id AND c.list_id = :list_id AND c.value_text IS NULL
   AND c.value_numeric IS NOT NULL

-- name: held_from
-- The range's lower end, included (a strict one is dropped by the app).
   AND c.value_numeric >= :low

-- name: held_to
-- The range's upper end, included.
   AND c.value_numeric <= :high

-- name: held_text_open
-- The distinct texts a field's videos hold (a select's options in use), as held_numeric_open.
(SELECT :condition::integer AS condition, c.value_text, c.value_numeric
 FROM field_value_counts AS c
 WHERE c.field_id = :field_id AND c.list_id = :list_id AND c.value_text IS NOT NULL

-- name: held_close
-- Ends one condition's values: a value counts when some video holds it.
 GROUP BY c.value_text, c.value_numeric
 HAVING sum(c.count) > 0
 ORDER BY c.value_text, c.value_numeric
 LIMIT :most)

-- name: held_union
-- Joins the values of several ranges.
UNION ALL

-- name: driven_most_open
-- Opens the stream's first entries (driven_most_*).
-- A page that may not fill from them gives up early (a sort by a field's first value).
SELECT most.video_created_at, most.video_id FROM (

-- name: driven_most_desc
-- Keeps the stream's first :most entries, newest first (its ranges merged in order).
) AS most ORDER BY most.video_created_at DESC, most.video_id DESC LIMIT :most

-- name: driven_most_asc
-- Keeps the stream's first :most entries, oldest first.
) AS most ORDER BY most.video_created_at, most.video_id LIMIT :most

-- name: driven_close
-- Ends the stream, whose ids the other conditions (on v.id) probe.
-- Then the video row of each id that holds, looked up by its key in a lateral subquery that
-- OFFSET 0 keeps one. As a join, a list whose values were just written (its statistics not yet
-- refreshed, so estimated at one video) was scanned whole per streamed id, each video probed
-- for the other conditions: 7 s for a second page of 1,500 videos.
) AS v (video_created_at, id)
CROSS JOIN LATERAL (
    SELECT video.list_id, video.youtube_id, video.title, video.created_at, video.updated_at
    FROM videos AS video
    WHERE video.id = v.id AND video.list_id = :list_id OFFSET 0) AS video
WHERE true

-- name: capped_open
-- Up to :cap matches of the driving condition, read once (MATERIALIZED).
-- They are counted to tell the app whether these are all of them, and sorted for the page.
WITH matches AS MATERIALIZED (
SELECT fv.video_created_at, fv.video_id FROM (

-- name: range_text_contains
-- Text or url values containing the pattern, ignoring case: video_field_values_text_trgm_idx.
-- OFFSET 0 keeps field_id out of that scan; the planner cannot tell how common a substring is,
-- and with it would often read the field's whole btree range instead. list_id is read from the
-- heap, which the scan visits anyway (no btree leads with it).
SELECT fv.field_id, fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_type IN ('text', 'url') AND fv.value_text ILIKE :pattern AND fv.list_id = :list_id
OFFSET 0) AS fv
WHERE fv.field_id = :field_id

-- name: range_text_starts_with
-- Text or url values starting with the pattern's prefix (case-sensitive).
-- They are one range of video_field_values_text_prefix_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('text', 'url')
  AND fv.value_text COLLATE "C" LIKE :pattern) AS fv

-- name: range_numeric_gt
-- Rating or number values above the value: one range of video_field_values_numeric_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric > :value) AS fv

-- name: range_numeric_gte
-- Rating or number values at least the value: one range of video_field_values_numeric_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric >= :value) AS fv

-- name: range_numeric_lt
-- Rating or number values below the value: one range of video_field_values_numeric_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric < :value) AS fv

-- name: range_numeric_lte
-- Rating or number values at most the value: one range of video_field_values_numeric_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric <= :value) AS fv

-- name: range_numeric_between
-- Rating or number values within low..high: one range of video_field_values_numeric_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric BETWEEN :low AND :high) AS fv

-- name: range_date_before
-- Dates before the value: one range of video_field_values_date_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date < :value) AS fv

-- name: range_date_after
-- Dates after the value: one range of video_field_values_date_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date > :value) AS fv

-- name: range_date_on_or_before
-- Dates on or before the value: one range of video_field_values_date_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date <= :value) AS fv

-- name: range_date_on_or_after
-- Dates on or after the value: one range of video_field_values_date_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date >= :value) AS fv

-- name: range_date_between
-- Dates within low..high: one range of video_field_values_date_idx, read from the index alone.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date BETWEEN :low AND :high) AS fv

-- name: range_options_has_any
-- Multi_select values holding one of the options at least.
-- Read by video_field_values_options_idx (GIN), the field and list checked on the rows it
-- finds.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id
  AND fv.value_options && :values::text[]) AS fv

-- name: range_options_has_all
-- Multi_select values holding every one of the options: video_field_values_options_idx (GIN).
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id
  AND fv.value_options @> :values::text[]) AS fv

-- name: range_present_text
-- Every value of a select, text or url field: one range of video_field_values_text_idx.
-- The facets read an is_not_empty this way where nothing else reads their matches (a
-- boolean's is its two values' streams, as an equality's).
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text IS NOT NULL) AS fv

-- name: range_present_numeric
-- Every value of a rating or number field: one range of video_field_values_numeric_idx.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric IS NOT NULL) AS fv

-- name: range_present_date
-- Every value of a date field: one range of video_field_values_date_idx.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date IS NOT NULL) AS fv

-- name: range_present_options
-- Every option set of a multi_select field: one range of video_field_values_options_recent_idx.
SELECT fv.video_created_at, fv.video_id FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type = 'multi_select') AS fv

-- name: count_range_open
-- How many matches a range's index holds, counted up to :cap (count_range_close).
-- It tells whether a range beside an equality is few enough to drive the page instead.
SELECT count(*) AS matched FROM (SELECT fv.video_created_at, fv.video_id FROM (

-- name: count_range_close
-- Ends the range's matches at the cap.
LIMIT :cap) AS m

-- name: capped_close_few
-- Ends the matches of a page sorted by a field, as capped_close.
-- It also says how many of them the page sorts itself (capped_few): sqrt(:few_factor x the
-- list's videos, from the kept counts), where looking each match's sort value up costs what the
-- hashed walk does.
LIMIT :cap)
SELECT m.matched, m.few, page.*
FROM (SELECT count(*) AS matched,
             (SELECT floor(sqrt(:few_factor * coalesce(sum(c.count), 0)))::bigint
              FROM list_video_counts AS c WHERE c.list_id = :list_id) AS few
      FROM matches) AS m
LEFT JOIN LATERAL (

-- name: capped_close_few_only
-- Ends the matches of a page sorted by a field at one past the few it sorts itself.
-- It reads a range tried before an equality's walks, which answer past the few: read to the
-- cap instead, a common range cost a page 4.5-8 ms more at 100k.
LIMIT (SELECT floor(sqrt(:few_factor * coalesce(sum(c.count), 0)))::bigint + 1
       FROM list_video_counts AS c WHERE c.list_id = :list_id))
SELECT m.matched, m.few, page.*
FROM (SELECT count(*) AS matched,
             (SELECT floor(sqrt(:few_factor * coalesce(sum(c.count), 0)))::bigint
              FROM list_video_counts AS c WHERE c.list_id = :list_id) AS few
      FROM matches) AS m
LEFT JOIN LATERAL (

-- name: capped_streams_close
-- Ends the ranges of an equality read as capped matches (for a sort by a field).
) AS fv

-- name: capped_close
-- Ends the matches; the page follows as a lateral subquery, so that a row (with matched)
-- comes back even when the page is empty.
LIMIT :cap)
SELECT m.matched, page.*
FROM (SELECT count(*) AS matched FROM matches) AS m
LEFT JOIN LATERAL (

-- name: capped_also_open
-- Keeps, of the driving equality's matches, those in a second equality's ranges too.
-- Both are read from their value indexes and joined: an entry read costs a tenth of the
-- primary-key probe per match it replaces, and the count of the matches then says how many
-- hold both (at 100k, Status = rewatch and Language = lang03 sorted by Rating: 501 matches
-- hashed against the field's whole order for no row, 19 ms; joined, about 1,000 entries).
JOIN (

-- name: capped_also_close
-- Ends the second equality's ranges.
) AS also ON also.video_created_at = fv.video_created_at AND also.video_id = fv.video_id

-- name: kept_matches
-- How many videos hold each equality's values, by the kept counts (select, rating, boolean).
-- The asked values come as parallel arrays, each tagged with its condition's number.
SELECT asked.condition, coalesce(sum(c.count), 0)::bigint AS videos
FROM unnest(:conditions::integer[], :field_ids::uuid[], :texts::text[], :numbers::numeric[],
            :booleans::boolean[])
         AS asked (condition, field_id, value_text, value_numeric, value_boolean)
LEFT JOIN field_value_counts AS c
       ON c.field_id = asked.field_id AND c.list_id = :list_id
      AND (c.value_text = asked.value_text OR c.value_numeric = asked.value_numeric
           OR c.value_boolean = asked.value_boolean)
GROUP BY asked.condition

-- name: capped_stream
-- The matches as the driving stream (sorted: no index keeps them in created_at order).
(SELECT fv.video_created_at, fv.video_id FROM matches AS fv

-- name: capped_valued_match
-- Keeps, of the sort field's values, those of the capped matches (a sort by a field).
s.video_id IN (SELECT m.video_id FROM matches AS m)

-- name: capped_valued_probed_open
-- Keeps, of the sort field's values, those of the capped matches that hold the other conditions.
-- Each match is probed for them (walked_open) before any sort value is read: joined, the sort
-- value and the video were read first, for every match (at 1M, Notes starting with "alpha",
-- 6,784 matches of which 132 are Favorite, sorted by Rating: 111 -> 29 ms).
s.video_id IN (SELECT v.id FROM matches AS v (video_created_at, id) WHERE true

-- name: capped_probed_close
-- Ends the probed matches; OFFSET 0 keeps their probes ahead of the join.
OFFSET 0)

-- name: capped_valued_hashed_match
-- Keeps the same values, but as a filter, not a join.
-- "IS TRUE" keeps the planner from making it a semi-join. As a filter, it lets the sort field's
-- value index be walked in the page's order, each video looked up in a hash of the matches,
-- until the page is full.
(s.video_id IN (SELECT m.video_id FROM matches AS m)) IS TRUE

-- name: capped_few
-- Reads the page only when the matches are few (capped_close_few).
-- With more, a hashed walk is cheaper.
m.matched <= m.few

-- name: capped_unvalued_match
-- Keeps, of the videos without a value for the sort field, the capped matches.
v.id IN (SELECT m.video_id FROM matches AS m)

-- name: capped_page_close
-- Ends the lateral page; its order is restated for the outer query.
) AS page ON true

-- name: valued_numeric_field
-- Videos that have a value for the rating sort field, read in the order of its value index.
-- That order is (value, video_created_at, video_id), each video looked up by its key
-- (driven_close says why).
SELECT s.video_id AS id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       s.value_numeric AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (
    SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = s.video_id AND v.list_id = :list_id OFFSET 0) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_numeric IS NOT NULL

-- name: valued_text_field
-- Videos that have a value for the select or text sort field, in the order of its value index.
SELECT s.video_id AS id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       s.value_text AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (
    SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = s.video_id AND v.list_id = :list_id OFFSET 0) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_text IS NOT NULL

-- name: valued_boolean_field
-- Videos that have a value for the boolean sort field, in the order of its value index.
SELECT s.video_id AS id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       s.value_boolean AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (
    SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = s.video_id AND v.list_id = :list_id OFFSET 0) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_boolean IS NOT NULL

-- name: valued_date_field
-- Videos that have a value for the date sort field, in the order of its value index.
SELECT s.video_id AS id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       s.value_date AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (
    SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = s.video_id AND v.list_id = :list_id OFFSET 0) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_date IS NOT NULL

-- name: valued_numeric_keys
-- The values of valued_numeric_field without their videos, for a walk of the field's order.
-- A walk passes many values to keep a page's few: the conditions probe each one's video id
-- (v.id, the value row's), and only the page's videos are looked up once it is cut
-- (looked_up_open), where a lookup of each walked video came first (at 100k, Watched = true and
-- Topics holding topic03 sorted by Published: 9,446 videos looked up for a page of 51).
SELECT s.video_id AS id, NULL::uuid AS list_id, NULL::text AS youtube_id, NULL::text AS title,
       NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at,
       s.value_numeric AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_numeric IS NOT NULL

-- name: valued_text_keys
-- The values of valued_text_field without their videos, as valued_numeric_keys.
SELECT s.video_id AS id, NULL::uuid AS list_id, NULL::text AS youtube_id, NULL::text AS title,
       NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at,
       s.value_text AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_text IS NOT NULL

-- name: valued_boolean_keys
-- The values of valued_boolean_field without their videos, as valued_numeric_keys.
SELECT s.video_id AS id, NULL::uuid AS list_id, NULL::text AS youtube_id, NULL::text AS title,
       NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at,
       s.value_boolean AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_boolean IS NOT NULL

-- name: valued_date_keys
-- The values of valued_date_field without their videos, as valued_numeric_keys.
SELECT s.video_id AS id, NULL::uuid AS list_id, NULL::text AS youtube_id, NULL::text AS title,
       NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at,
       s.value_date AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.value_date IS NOT NULL

-- name: valued_options_field
-- Videos that have a value for the multi_select sort field, ordered by their options.
-- They compare as text arrays do (order_options_*). No btree holds whole option sets: they are
-- read in the order of their first two options (video_field_values_options_order_idx, whose
-- predicate is both the type and the column), and the sets sharing those sorted.
SELECT s.video_id AS id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       s.value_options AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (
    SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = s.video_id AND v.list_id = :list_id OFFSET 0) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.field_type = 'multi_select'
  AND s.value_options IS NOT NULL

-- name: valued_options_keys
-- The values of valued_options_field without their videos, for a walk of the field's order index.
-- Each group of sets sharing their first two options is sorted whole (at 1M the first is 7,413
-- sets), so the videos are looked up once the page is cut (looked_up_open), not before the
-- sort. The conditions probe v.id, the value row's video.
SELECT s.video_id AS id, NULL::uuid AS list_id, NULL::text AS youtube_id, NULL::text AS title,
       NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at,
       s.value_options AS sort_value, s.video_created_at AS sort_tie
FROM video_field_values AS s
CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v
WHERE s.field_id = :sort_field_id AND s.list_id = :list_id AND s.field_type = 'multi_select'
  AND s.value_options IS NOT NULL

-- name: options_split_open
-- Opens a walk sorted by a multi_select (valued_options_keys) in two parts.
-- Each part is cut to the page and in its order: the sets of at most two options
-- (options_short), read from video_field_values_options_order_idx already in that order (in a
-- group of their first two options they are all one set, so by creation), and the sets of more
-- (options_long), sorted by those groups. options_split_union parts them, options_split_close
-- ends them, and the page's order and limit follow over the rows of both.
SELECT * FROM ((

-- name: options_split_union
-- Between the two parts of options_split_open.
) UNION ALL (

-- name: options_split_close
-- Ends the two parts of options_split_open.
)) AS parts

-- name: options_short
-- The first part of options_split_open: the sets of at most two options.
  AND (cardinality(s.value_options) > 2) IS FALSE

-- name: options_long
-- The second part of options_split_open: the sets of more than two options.
  AND (cardinality(s.value_options) > 2) IS TRUE

-- The sort field's own conditions (any but is_empty: those need a value), checked on the row
-- its value index walks (s, of valued_*_field) instead of probed per video: a range bounds the
-- walk (at 1M, Published before 2012 sorted by Published desc walked every later date, each
-- video probed: 626 ms), any other is checked in the entry it reads. One value per video and
-- field: the row probed would be this one.

-- name: sorted_numeric_eq
-- A number or rating equal to the value, on the walked row.
  AND s.value_numeric = :value

-- name: sorted_numeric_ne
-- A number or rating other than the value, on the walked row.
  AND s.value_numeric <> :value

-- name: sorted_numeric_gt
-- A number or rating above the value, on the walked row.
  AND s.value_numeric > :value

-- name: sorted_numeric_gte
-- A number or rating at least the value, on the walked row.
  AND s.value_numeric >= :value

-- name: sorted_numeric_lt
-- A number or rating below the value, on the walked row.
  AND s.value_numeric < :value

-- name: sorted_numeric_lte
-- A number or rating at most the value, on the walked row.
  AND s.value_numeric <= :value

-- name: sorted_numeric_between
-- A number or rating between low and high, on the walked row.
  AND s.value_numeric BETWEEN :low AND :high

-- name: sorted_date_eq
-- A date on the day, on the walked row.
  AND s.value_date = :value

-- name: sorted_date_ne
-- A date on another day, on the walked row.
  AND s.value_date <> :value

-- name: sorted_date_before
-- A date before the day, on the walked row.
  AND s.value_date < :value

-- name: sorted_date_after
-- A date after the day, on the walked row.
  AND s.value_date > :value

-- name: sorted_date_on_or_before
-- A date on or before the day, on the walked row.
  AND s.value_date <= :value

-- name: sorted_date_on_or_after
-- A date on or after the day, on the walked row.
  AND s.value_date >= :value

-- name: sorted_date_between
-- A date between low and high, on the walked row.
  AND s.value_date BETWEEN :low AND :high

-- name: sorted_text_eq
-- A select or text equal to the value, on the walked row.
  AND s.value_text = :value

-- name: sorted_text_ne
-- A select or text other than the value, on the walked row.
  AND s.value_text <> :value

-- name: sorted_text_contains
-- A text or url containing the value, in any case, on the walked row.
  AND strpos(lower(s.value_text), lower(:value)) > 0

-- name: sorted_text_starts_with
-- A text or url starting with the value, on the walked row.
  AND starts_with(s.value_text, :value)

-- name: sorted_text_in
-- A select among the values, on the walked row.
  AND s.value_text = ANY(:values::text[])

-- name: sorted_text_not_in
-- A select none of the values, on the walked row.
  AND s.value_text <> ALL(:values::text[])

-- name: sorted_boolean_eq
-- A boolean equal to the value, on the walked row.
  AND s.value_boolean = :value

-- name: sorted_options_has_any
-- Options holding any of the values, on the walked row.
  AND s.value_options && :values::text[]

-- name: sorted_options_has_all
-- Options holding all of the values, on the walked row.
  AND s.value_options @> :values::text[]

-- name: sorted_options_has_none
-- Options holding none of the values, on the walked row.
  AND NOT s.value_options && :values::text[]

-- name: unvalued_field
-- Videos without a value for the sort field: they come after all others, ordered by id.
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at, NULL AS sort_value,
       NULL::timestamptz AS sort_tie
FROM videos AS v
WHERE v.list_id = :list_id
  AND NOT EXISTS (SELECT FROM video_field_values AS s
                  WHERE s.video_id = v.id AND s.field_id = :sort_field_id
                    AND s.list_id = v.list_id)

-- name: walked_open
-- Wraps one condition of a walk as a scalar subquery.
-- The planner then probes it per video walked, by primary key. Bare, a range's EXISTS may
-- become a hash of all its matches, chosen on an estimate that multiplies field_id's share by
-- the value's over every field's values (Minutes >= 300 at 100k: 1,225 estimated, 14,932 read).
(SELECT

-- name: walked_close
-- Ends the wrapped condition.
)

-- name: density_open
-- How dense the page's conditions are where it starts.
-- It counts, of the :depth videos a walk reads first (after the cursor), how many match all of
-- them (hits), and reads the list's size from the kept counts. The app walks when they are
-- dense enough, and reads the range otherwise.
SELECT count(*) AS walked,
       (SELECT coalesce(sum(c.count), 0)::bigint FROM list_video_counts AS c
        WHERE c.list_id = :list_id) AS videos,
       count(*) FILTER (WHERE true

-- name: density_from
-- Ends the conditions; the videos follow.
) AS hits
FROM (

-- name: density_close
-- Ends the walked videos.
) AS v

-- name: density_text_open
-- How dense a "contains" or "starts_with" condition is where the page starts.
-- It counts, of the :depth values its field's stream reads first (after the cursor;
-- page_limit), how many match (hits), and how many values the field holds (its kept counts).
-- The app streams the field when they are dense enough, and reads the matches from the trigram
-- or prefix index otherwise.
SELECT count(*) AS walked, count(*) FILTER (WHERE sample.matched) AS hits,
       (SELECT fill.filled FROM field_fill AS fill WHERE fill.field_id = :field_id) AS field_values
FROM (SELECT * FROM (
SELECT fv.video_created_at AS sort_value, fv.video_id AS id,

-- name: matched_text_contains
-- Whether the streamed value contains the pattern, ignoring case (as stream_text_contains).
       (fv.value_text || '') ILIKE :pattern AS matched

-- name: matched_text_starts_with
-- Whether the streamed value starts with the pattern's prefix (as stream_text_starts_with).
       (fv.value_text || '') COLLATE "C" LIKE :pattern AS matched

-- name: density_text_from
-- The field's values, in the order of video_field_values_text_recent_idx; page_close follows.
FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('text', 'url')

-- name: density_text_close
-- Ends the sampled values.
) AS sample

-- name: density_range_open
-- How dense a range or an options condition is where the page starts.
-- The range is on a number or date field, the options condition on a multi_select field. It
-- counts, of the :depth values its field's stream reads first (after the cursor; page_limit),
-- how many match (hits, by the checked_* fragment that follows), and how many values the field
-- holds (its kept counts). The app streams the field when they are dense enough, and reads the
-- matches from the value index (a multi_select's: its options' GIN index) otherwise.
SELECT count(*) AS walked,
       (SELECT fill.filled FROM field_fill AS fill WHERE fill.field_id = :field_id) AS field_values,
       count(*) FILTER (WHERE true

-- name: density_range_from
-- Ends the check, then the field's values, in the order of video_field_values_range_recent_idx.
-- After them, page_close follows.
) AS hits
FROM (SELECT * FROM (
SELECT fv.video_created_at AS sort_value, fv.video_id AS id, fv.value_numeric, fv.value_date
FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type IN ('number', 'date')

-- name: density_options_from
-- Ends the check, then the field's values, in the order of video_field_values_options_recent_idx.
-- After them, page_close follows.
) AS hits
FROM (SELECT * FROM (
SELECT fv.video_created_at AS sort_value, fv.video_id AS id, fv.value_options
FROM video_field_values AS fv
WHERE fv.field_id = :field_id AND fv.list_id = :list_id AND fv.field_type = 'multi_select'

-- name: density_range_close
-- Ends the sampled values.
) AS fv

-- name: numeric_eq
-- Rating equals the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric = :value)

-- name: numeric_ne
-- Rating is set and differs from the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric <> :value)

-- name: numeric_gt
-- Rating above the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric > :value)

-- name: numeric_gte
-- Rating at least the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric >= :value)

-- name: numeric_lt
-- Rating below the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric < :value)

-- name: numeric_lte
-- Rating at most the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_numeric <= :value)

-- name: numeric_between
-- Rating within low..high, both included.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id
          AND fv.value_numeric BETWEEN :low AND :high)

-- name: date_eq
-- Date is the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date = :value)

-- name: date_ne
-- Date is set and is not the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date <> :value)

-- name: date_before
-- Date before the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date < :value)

-- name: date_after
-- Date after the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date > :value)

-- name: date_on_or_before
-- Date on or before the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date <= :value)

-- name: date_on_or_after
-- Date on or after the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_date >= :value)

-- name: date_between
-- Date within low..high, both included.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id
          AND fv.value_date BETWEEN :low AND :high)

-- name: options_has_any
-- The multi_select value holds at least one of the options (video_field_values_options_idx).
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id
          AND fv.value_options && :values::text[])

-- name: options_has_all
-- The multi_select value holds every one of the options.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id
          AND fv.value_options @> :values::text[])

-- name: options_has_none
-- The multi_select value is set and holds none of the options.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_options IS NOT NULL
          AND NOT fv.value_options && :values::text[])

-- name: text_eq
-- Select or text value equals the value exactly.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text = :value)

-- name: text_ne
-- Select or text value is set and differs from the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text <> :value)

-- name: text_contains
-- Text value contains the value, ignoring case (strpos: no LIKE wildcards to escape).
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text IS NOT NULL
          AND strpos(lower(fv.value_text), lower(:value)) > 0)

-- name: text_starts_with
-- Text value starts with the value (case-sensitive).
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text IS NOT NULL
          AND starts_with(fv.value_text, :value))

-- name: text_in
-- Select value is one of the values.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text = ANY(:values::text[]))

-- name: text_not_in
-- Select value is set and none of the values.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_text IS NOT NULL
          AND fv.value_text <> ALL(:values::text[]))

-- name: boolean_eq
-- Boolean value equals the value.
EXISTS (SELECT FROM video_field_values AS fv
        WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id AND fv.value_boolean = :value
          AND fv.value_boolean IS NOT NULL)  -- as in stream_boolean_eq

-- name: is_not_empty
-- The video has a value for the field (primary key probe).
EXISTS (SELECT FROM video_field_values AS fv WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id)

-- name: is_empty
-- The video has no value for the field.
NOT EXISTS (SELECT FROM video_field_values AS fv WHERE fv.video_id = v.id AND fv.field_id = :field_id AND fv.list_id = :list_id)

-- name: looked_up_open
-- Wraps a page whose head reads no video row (valued_options_keys).
-- Each row of the page, once cut to its limit, is joined to its video (looked_up_close).
SELECT cut.id, video.list_id, video.youtube_id, video.title, video.created_at,
       video.updated_at, cut.sort_value, cut.sort_tie
FROM (

-- name: looked_up_close
-- Ends the page of looked_up_open: each video looked up by its key (driven_close says why).
-- The page's order follows, restated for the outer query.
) AS cut
CROSS JOIN LATERAL (
    SELECT v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at FROM videos AS v
    WHERE v.id = cut.id AND v.list_id = :list_id OFFSET 0) AS video

-- name: page_close
-- Ends the wrapped query opened by page_open.
) AS found

-- name: after_asc
-- Keyset: rows after the cursor (sort value, id) in ascending order.
WHERE (sort_value, id) > (:after_value, :after_id)

-- name: after_desc
-- Keyset: rows after the cursor (sort value, id) in descending order.
WHERE (sort_value, id) < (:after_value, :after_id)

-- name: after_field_asc
-- Keyset for a sort by a field: rows after the cursor (value, video_created_at, id), ascending.
WHERE (sort_value, sort_tie, id) > (:after_value, :after_tie, :after_id)

-- name: after_field_desc
-- Keyset for a sort by a field, descending.
WHERE (sort_value, sort_tie, id) < (:after_value, :after_tie, :after_id)

-- name: after_options_asc
-- Keyset for a sort by a multi_select: rows after the cursor, as after_field_asc.
-- It is led by the first option (which the set's order implies) so that
-- video_field_values_options_order_idx starts at the cursor's first option. As one
-- comparison: a set compared apart was estimated from statistics that count every other
-- field's row as a NULL set, at a few rows, and the planner read the field's every set from
-- another index and sorted them (at 100k, page 2 of Topics under Watched = true: 200 ms, page
-- 1 8 ms). Under row-level security it is an index condition because its comparisons are
-- LEAKPROOF (0057).
WHERE (sort_value[1], sort_value, sort_tie, id)
    > ((:after_value::text[])[1], :after_value, :after_tie, :after_id)

-- name: after_options_desc
-- Keyset for a sort by a multi_select, descending.
WHERE (sort_value[1], sort_value, sort_tie, id)
    < ((:after_value::text[])[1], :after_value, :after_tie, :after_id)

-- name: after_options_short_asc
-- Keyset of the sets of at most two options (options_short), ascending: after the cursor.
-- A row comparison of every key of video_field_values_options_order_idx (0062), which starts
-- the walk at the cursor: a set of at most two options is its first two, and a longer cursor
-- set comes after the shorter ones sharing its first two. Led by the first option alone
-- (after_options_asc), the walk read again the sets before the cursor sharing its first
-- option (at 1M, 3,256 of them at page 10 of Topics under Watched = true). A set of one has
-- '' for its second option, as the index holds it: a CASE, not coalesce(), which row-level
-- security takes for leaky, and keeps out of the index condition.
WHERE (sort_value[1], CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END,
       cardinality(sort_value) > 2, sort_tie, id)
    > ((:after_value::text[])[1],
       CASE WHEN (:after_value::text[])[2] IS NULL THEN '' ELSE (:after_value::text[])[2] END,
       cardinality(:after_value::text[]) > 2, :after_tie, :after_id)

-- name: after_options_short_desc
-- Keyset of the sets of at most two options, descending.
WHERE (sort_value[1], CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END,
       cardinality(sort_value) > 2, sort_tie, id)
    < ((:after_value::text[])[1],
       CASE WHEN (:after_value::text[])[2] IS NULL THEN '' ELSE (:after_value::text[])[2] END,
       cardinality(:after_value::text[]) > 2, :after_tie, :after_id)

-- name: after_id_asc
-- Keyset among videos without a sort value: ids after the cursor's.
WHERE id > :after_id

-- name: after_id_desc
-- Keyset among videos without a sort value, descending: ids before the cursor's.
WHERE id < :after_id

-- name: order_asc
-- Ascending by the sort value, then id (the order of the index the head reads).
ORDER BY sort_value, id

-- name: order_desc
-- Descending by the sort value, then id (that index read backwards).
ORDER BY sort_value DESC, id DESC

-- name: order_field_asc
-- Ascending by the field's value, then the video's created_at and id (the value index's order).
ORDER BY sort_value, sort_tie, id

-- name: order_field_desc
-- Descending by the field's value, then created_at and id (the value index read backwards).
ORDER BY sort_value DESC, sort_tie DESC, id DESC

-- name: order_options_asc
-- Ascending by a multi_select's option set (as text arrays compare), then created_at and id.
-- It orders first by its first two options (a set of one has '' for its second, which sorts
-- first), the order of video_field_values_options_order_idx, so that only the sets sharing
-- those are sorted whole.
ORDER BY sort_value[1], CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END,
         sort_value, sort_tie, id

-- name: order_options_desc
-- Descending by a multi_select's option set (that index read backwards).
ORDER BY sort_value[1] DESC, CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END DESC,
         sort_value DESC, sort_tie DESC, id DESC

-- name: order_options_short_asc
-- Ascending, of the sets of at most two options (options_short).
-- A group of their first two options is one set, ordered by created_at and id, as the index
-- holds it.
ORDER BY sort_value[1], CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END, sort_tie,
         id

-- name: order_options_short_desc
-- Descending, of the sets of at most two options (that index read backwards).
ORDER BY sort_value[1] DESC, CASE WHEN sort_value[2] IS NULL THEN '' ELSE sort_value[2] END DESC,
         sort_tie DESC, id DESC

-- name: order_id_asc
-- Videos without a sort value, by id.
ORDER BY id

-- name: order_id_desc
-- Videos without a sort value, by id descending.
ORDER BY id DESC

-- name: page_limit
-- At most :limit rows (the caller asks one more than a page to know whether another follows).
LIMIT :limit

-- name: probe_open
-- How sparse each candidate driving condition is among the videos the page reads.
-- It says, of its first :depth matches in the page's order (read from its stream alone: a
-- hundred index entries at most, whatever the list's size), how many there are and how far back
-- (or on) they reach. One row per candidate; the app drives by the sparsest.
SELECT candidate, matches, oldest, newest FROM (

-- name: probe_candidate_open
-- Opens one candidate's stream.
SELECT :candidate::integer AS candidate, count(*) AS matches,
       min(video_created_at) AS oldest, max(video_created_at) AS newest
FROM (SELECT video_created_at FROM (

-- name: probe_candidate_desc
-- The candidate's first :depth matches, newest first.
) AS stream ORDER BY video_created_at DESC, video_id DESC LIMIT :depth) AS probe

-- name: probe_candidate_asc
-- The candidate's first :depth matches, oldest first.
) AS stream ORDER BY video_created_at, video_id LIMIT :depth) AS probe

-- name: probe_union
-- Between two candidates.
UNION ALL

-- name: probe_close
-- Ends the candidates.
) AS candidates
