-- name: Reviewable resolution percentages
-- description: Review queue items by type and outcome (pending, approved, rejected, ignored, deleted), with the share resolved.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT r.type,
       count(*) AS reviewables,
       count(*) FILTER (WHERE r.status = 0) AS pending,
       count(*) FILTER (WHERE r.status = 1) AS approved,
       count(*) FILTER (WHERE r.status = 2) AS rejected,
       count(*) FILTER (WHERE r.status = 3) AS ignored,
       count(*) FILTER (WHERE r.status = 4) AS deleted,
       round(100.0 * count(*) FILTER (WHERE r.status <> 0) / count(*), 1) AS resolved_pct,
       round(100.0 * count(*) FILTER (WHERE r.status = 1) / nullif(count(*) FILTER (WHERE r.status <> 0), 0), 1) AS approved_of_resolved_pct
FROM reviewables r
WHERE r.created_at >= :start_date
  AND r.created_at < :end_date + INTERVAL '1 day'
GROUP BY r.type
ORDER BY reviewables DESC
