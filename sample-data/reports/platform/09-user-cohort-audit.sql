-- name: User cohort audit
-- description: Accounts that received moderation actions: how many, the most common one, and how long after sign-up the first came.
-- [params]
-- date :joined_after = 2000-01-01
-- int :min_actions = 1

SELECT u.user_id, u.username, u.created_at AS joined_at,
       date_trunc('month', u.created_at) AS cohort,
       count(*) AS actions,
       mode() WITHIN GROUP (ORDER BY a.action) AS most_common_action,
       round(extract(epoch FROM min(a.created_at) - u.created_at) / 3600, 1) AS hours_to_first_action
FROM moderation_actions a
JOIN users u ON u.user_id = a.target_user_id
WHERE u.created_at >= :joined_after
GROUP BY u.user_id, u.username, u.created_at
HAVING count(*) >= :min_actions
ORDER BY actions DESC, u.user_id
