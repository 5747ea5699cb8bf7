-- name: Individual moderation actions
-- description: Each entry of the staff action log, newest first, optionally for one staff member.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31
-- null int :acting_user_id

SELECT uh.created_at,
       staff.username AS staff,
       CASE uh.action
         WHEN 1 THEN 'delete_user' WHEN 2 THEN 'change_trust_level' WHEN 10 THEN 'suspend_user'
         WHEN 11 THEN 'unsuspend_user' WHEN 17 THEN 'delete_post' WHEN 18 THEN 'delete_topic'
         WHEN 30 THEN 'silence_user' WHEN 31 THEN 'unsilence_user'
         ELSE 'action_' || uh.action END AS action,
       target.username AS target,
       uh.post_id,
       uh.topic_id,
       uh.details
FROM user_histories uh
LEFT JOIN users staff ON staff.id = uh.acting_user_id
LEFT JOIN users target ON target.id = uh.target_user_id
WHERE uh.created_at >= :start_date
  AND uh.created_at < :end_date + INTERVAL '1 day'
  AND (:acting_user_id IS NULL OR uh.acting_user_id = :acting_user_id)
ORDER BY uh.created_at DESC, uh.id DESC
