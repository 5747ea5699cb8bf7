-- name: Flags submitted by type, user vs automated
-- description: Flags per type, split between members and automated flaggers (the system user and other non-human accounts, id <= 0).
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT pat.name_key AS flag_type,
       count(*) FILTER (WHERE pa.user_id > 0) AS user_flags,
       count(*) FILTER (WHERE pa.user_id <= 0) AS automated_flags,
       count(*) AS total_flags,
       round(100.0 * count(*) FILTER (WHERE pa.user_id <= 0) / count(*), 1) AS automated_pct
FROM post_actions pa
JOIN post_action_types pat ON pat.id = pa.post_action_type_id
WHERE pat.is_flag
  AND pa.created_at >= :start_date
  AND pa.created_at < :end_date + INTERVAL '1 day'
GROUP BY pat.name_key
ORDER BY total_flags DESC
