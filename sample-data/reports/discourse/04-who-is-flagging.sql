-- name: Who is flagging
-- description: Members who flag posts, with how often staff agreed with them; the system user's automatic flags are left out.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31
-- int :min_flags = 1

SELECT u.username AS flagger,
       u.trust_level,
       count(*) AS flags,
       count(*) FILTER (WHERE pa.agreed_at IS NOT NULL) AS agreed,
       count(*) FILTER (WHERE pa.disagreed_at IS NOT NULL) AS disagreed,
       round(100.0 * count(*) FILTER (WHERE pa.agreed_at IS NOT NULL) / count(*), 1) AS agreed_pct
FROM post_actions pa
JOIN post_action_types pat ON pat.id = pa.post_action_type_id
JOIN users u ON u.id = pa.user_id
WHERE pat.is_flag
  AND pa.user_id > 0
  AND pa.created_at >= :start_date
  AND pa.created_at < :end_date + INTERVAL '1 day'
GROUP BY u.username, u.trust_level
HAVING count(*) >= :min_flags
ORDER BY flags DESC, flagger
