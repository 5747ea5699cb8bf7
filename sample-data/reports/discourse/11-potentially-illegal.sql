-- name: Potentially illegal flags
-- description: Flagged posts a member reported as illegal, with the review outcome and where their author stands (flag level, silenced or suspended until).
-- [params]
-- int :min_score = 0

SELECT r.id AS reviewable_id,
       r.created_at AS flagged_at,
       CASE r.status WHEN 0 THEN 'pending' WHEN 1 THEN 'approved' WHEN 2 THEN 'rejected' WHEN 3 THEN 'ignored' ELSE 'deleted' END AS status,
       r.score,
       p.id AS post_id,
       left(p.raw, 120) AS excerpt,
       p.illegal_count,
       u.username AS author,
       u.trust_level,
       u.flag_level,
       u.silenced_till,
       u.suspended_till
FROM reviewables r
JOIN posts p ON p.id = r.target_id AND r.target_type = 'Post'
JOIN users u ON u.id = r.target_created_by_id
WHERE r.potentially_illegal
  AND r.score >= :min_score
ORDER BY r.created_at DESC
