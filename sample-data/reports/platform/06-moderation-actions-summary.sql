-- name: Moderation actions summary
-- chart: {"type":"stacked_bar","x":"action","y":"actions","series":"actor_type","aggregate":"sum"}
-- description: Moderation actions by who took them (model, human, system) and what they did.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

SELECT actor_type, action,
       count(*) AS actions,
       count(DISTINCT target_user_id) AS users_affected,
       count(DISTINCT content_id) AS items,
       min(created_at) AS first_at,
       max(created_at) AS last_at
FROM moderation_actions
WHERE created_at >= :start_time AND created_at < :end_time
GROUP BY actor_type, action
ORDER BY actions DESC
