-- name: Individual moderation actions
-- description: Each moderation action, newest first, optionally for one actor type.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00
-- null string :actor_type

SELECT a.created_at, a.actor_type, a.actor_id, a.action, a.category, a.model_version,
       a.target_user_id, a.content_id, left(c.text, 120) AS text
FROM moderation_actions a
LEFT JOIN content c USING (content_id)
WHERE a.created_at >= :start_time AND a.created_at < :end_time
  AND (:actor_type IS NULL OR a.actor_type = :actor_type)
ORDER BY a.created_at DESC, a.action_id DESC
