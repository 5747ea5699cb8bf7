-- name: Appeals
-- description: Appeals of removals: how many, how many decided and overturned, the overturned share of the decided, and the share of removed items that were appealed (docs/release-gates.md).

WITH counts AS (
  SELECT (SELECT count(*) FROM appeals) AS appeals,
         (SELECT count(*) FROM appeals WHERE decided_at IS NOT NULL AND outcome IN ('upheld', 'overturned')) AS decided,
         (SELECT count(*) FROM appeals WHERE decided_at IS NOT NULL AND outcome = 'overturned') AS overturned,
         (SELECT count(DISTINCT content_id) FROM moderation_actions WHERE action = 'remove') AS removed_items,
         (SELECT count(DISTINCT a.content_id) FROM appeals a
          WHERE a.content_id IN (SELECT content_id FROM moderation_actions WHERE action = 'remove')) AS appealed_items)
SELECT appeals, decided, overturned,
       round(100.0 * overturned / nullif(decided, 0), 1) AS overturned_pct,
       removed_items, appealed_items,
       round(100.0 * appealed_items / nullif(removed_items, 0), 1) AS appeal_rate_pct
FROM counts
