-- name: All flag data
-- description: Every flag with its post, author, flagger, outcome, who resolved it and how long it took.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31
-- null string :flag_type

SELECT pa.id AS flag_id,
       pa.created_at AS flagged_at,
       pat.name_key AS flag_type,
       flagger.username AS flagger,
       p.id AS post_id,
       p.topic_id,
       author.username AS post_author,
       CASE WHEN pa.agreed_at IS NOT NULL THEN 'agreed'
            WHEN pa.disagreed_at IS NOT NULL THEN 'disagreed'
            WHEN pa.deferred_at IS NOT NULL THEN 'ignored'
            ELSE 'pending' END AS outcome,
       staff.username AS resolved_by,
       coalesce(pa.agreed_at, pa.disagreed_at, pa.deferred_at) AS resolved_at,
       round(extract(epoch FROM coalesce(pa.agreed_at, pa.disagreed_at, pa.deferred_at) - pa.created_at) / 60, 1) AS minutes_to_resolve,
       left(p.raw, 120) AS excerpt
FROM post_actions pa
JOIN post_action_types pat ON pat.id = pa.post_action_type_id
JOIN posts p ON p.id = pa.post_id
JOIN users flagger ON flagger.id = pa.user_id
JOIN users author ON author.id = p.user_id
LEFT JOIN users staff ON staff.id = coalesce(pa.agreed_by_id, pa.disagreed_by_id, pa.deferred_by_id)
WHERE pat.is_flag
  AND pa.created_at >= :start_date
  AND pa.created_at < :end_date + INTERVAL '1 day'
  AND (:flag_type IS NULL OR pat.name_key = :flag_type)
ORDER BY pa.created_at DESC
