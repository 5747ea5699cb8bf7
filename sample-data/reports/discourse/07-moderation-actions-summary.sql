-- name: Moderation actions summary
-- description: Staff actions from the staff action log (user_histories), by action, with how many members and staff were involved.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT CASE uh.action
         WHEN 1 THEN 'delete_user' WHEN 2 THEN 'change_trust_level' WHEN 10 THEN 'suspend_user'
         WHEN 11 THEN 'unsuspend_user' WHEN 17 THEN 'delete_post' WHEN 18 THEN 'delete_topic'
         WHEN 30 THEN 'silence_user' WHEN 31 THEN 'unsilence_user'
         ELSE 'action_' || uh.action END AS action,
       count(*) AS actions,
       count(DISTINCT uh.target_user_id) AS members_affected,
       count(DISTINCT uh.acting_user_id) AS staff_involved,
       min(uh.created_at) AS first_at,
       max(uh.created_at) AS last_at
FROM user_histories uh
WHERE uh.created_at >= :start_date
  AND uh.created_at < :end_date + INTERVAL '1 day'
GROUP BY 1
ORDER BY actions DESC
