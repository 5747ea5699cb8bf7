-- name: Flags submitted by type, user vs automated
-- description: Per policy category: reports filed by users against automated flags raised by models (model escalations and removals).
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

WITH user_flags AS (
  SELECT CASE reason WHEN 'hate' THEN 'hate_speech' WHEN 'harassment' THEN 'hate_speech' WHEN 'nudity' THEN 'nsfw'
                     WHEN 'violence' THEN 'nsfw' ELSE reason END AS category,
         count(*) AS n
  FROM reports
  WHERE created_at >= :start_time AND created_at < :end_time
  GROUP BY 1
), automated AS (
  SELECT category, count(*) AS n
  FROM moderation_actions
  WHERE actor_type = 'model' AND created_at >= :start_time AND created_at < :end_time
  GROUP BY 1
)
SELECT coalesce(u.category, a.category) AS category,
       coalesce(u.n, 0) AS user_reports,
       coalesce(a.n, 0) AS automated_flags,
       coalesce(u.n, 0) + coalesce(a.n, 0) AS total,
       round(100.0 * coalesce(a.n, 0) / (coalesce(u.n, 0) + coalesce(a.n, 0)), 1) AS automated_pct
FROM user_flags u
FULL OUTER JOIN automated a ON a.category = u.category
ORDER BY total DESC
