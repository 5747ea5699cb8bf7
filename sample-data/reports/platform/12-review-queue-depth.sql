-- name: Review queue depth over time
-- description: At the end of each hour: the escalated items no person has decided yet (docs/release-gates.md).
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

SELECT ends_at AS hour_end, depth
FROM (
  WITH queue AS (
  WITH entered AS (
    SELECT content_id, min(created_at) AS entered_at FROM moderation_actions
    WHERE action = 'escalate' AND content_id IS NOT NULL GROUP BY content_id)
  SELECT e.content_id, e.entered_at,
         (SELECT min(h.created_at) FROM moderation_actions h
          WHERE h.content_id = e.content_id AND h.actor_type = 'human' AND h.action <> 'escalate'
            AND h.created_at >= e.entered_at) AS decided_at
  FROM entered e),
  moves AS (
    SELECT date_trunc('hour', entered_at) AS bucket, 1 AS delta FROM queue
    UNION ALL SELECT date_trunc('hour', decided_at), -1 FROM queue WHERE decided_at IS NOT NULL),
  span AS (SELECT min(bucket) AS first_bucket, max(bucket) AS last_bucket FROM moves),
  buckets AS (SELECT unnest(generate_series(first_bucket, last_bucket, INTERVAL 1 hour)) AS bucket FROM span)
  SELECT b.bucket + INTERVAL 1 hour AS ends_at,
         (sum(coalesce(sum(m.delta), 0)) OVER (ORDER BY b.bucket))::BIGINT AS depth
  FROM buckets b LEFT JOIN moves m ON m.bucket = b.bucket
  GROUP BY b.bucket ORDER BY b.bucket)
WHERE ends_at > :start_time AND ends_at <= :end_time
ORDER BY hour_end
