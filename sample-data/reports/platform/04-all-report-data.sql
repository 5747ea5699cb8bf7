-- name: All report data
-- description: Every report with the reported content, its author, and the latest moderation decision on it.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00
-- string_list :reasons = spam,harassment,hate,nudity,misinformation,violence,other

WITH latest AS (
  SELECT content_id, arg_max(action, created_at) AS action, arg_max(actor_type, created_at) AS actor_type, max(created_at) AS decided_at
  FROM moderation_actions
  GROUP BY content_id
)
SELECT r.report_id, r.created_at AS reported_at, r.reason, r.reporter_id,
       c.content_id, c.user_id AS author_id, c.surface, c.language, left(c.text, 140) AS text,
       l.action AS latest_action, l.actor_type AS decided_by, l.decided_at
FROM reports r
JOIN content c USING (content_id)
LEFT JOIN latest l USING (content_id)
WHERE r.created_at >= :start_time AND r.created_at < :end_time
  AND r.reason IN (:reasons)
ORDER BY r.created_at DESC, r.report_id
