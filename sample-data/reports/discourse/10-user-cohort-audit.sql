-- name: User cohort audit
-- description: Members who received staff actions: how many, the most common one, and how long after signing up the first came.
-- [params]
-- date :joined_after = 2000-01-01
-- int :min_actions = 1

WITH actions AS (
  SELECT uh.target_user_id AS user_id,
         CASE uh.action
           WHEN 1 THEN 'delete_user' WHEN 2 THEN 'change_trust_level' WHEN 10 THEN 'suspend_user'
           WHEN 11 THEN 'unsuspend_user' WHEN 17 THEN 'delete_post' WHEN 18 THEN 'delete_topic'
           WHEN 30 THEN 'silence_user' WHEN 31 THEN 'unsilence_user'
           ELSE 'action_' || uh.action END AS action,
         uh.created_at
  FROM user_histories uh
  WHERE uh.target_user_id > 0
)
SELECT u.username,
       u.created_at AS joined_at,
       date_trunc('month', u.created_at) AS cohort,
       count(*) AS actions,
       mode() WITHIN GROUP (ORDER BY a.action) AS most_common_action,
       round(extract(epoch FROM min(a.created_at) - u.created_at) / 3600, 1) AS hours_to_first_action
FROM actions a
JOIN users u ON u.id = a.user_id
WHERE u.created_at >= :joined_after
GROUP BY u.username, u.created_at
HAVING count(*) >= :min_actions
ORDER BY actions DESC, username
