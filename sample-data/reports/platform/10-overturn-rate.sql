-- name: Overturn rate by model version
-- description: Per model version and category: the items the model removed or escalated, how many of them a person later passed or restored, and the share — the earliest sign a version degrades (docs/release-gates.md).

WITH items AS (
  WITH flagged AS (
    SELECT content_id, min(created_at) AS flagged_at, arg_min(category, created_at) AS category,
           arg_min(model_version, created_at) AS model_version
    FROM moderation_actions
    WHERE actor_type = 'model' AND action IN ('remove', 'escalate') AND content_id IS NOT NULL
    GROUP BY content_id)
  SELECT f.content_id, f.model_version, f.category, f.flagged_at,
         EXISTS (SELECT 1 FROM moderation_actions h
                 WHERE h.content_id = f.content_id AND h.actor_type = 'human'
                   AND h.action IN ('pass', 'restore') AND h.created_at > f.flagged_at) AS reversed
  FROM flagged f)
SELECT model_version, category,
       count(*) AS flagged,
       count(*) FILTER (WHERE reversed) AS reversed,
       round(100.0 * count(*) FILTER (WHERE reversed) / count(*), 2) AS overturn_pct
FROM items
GROUP BY model_version, category
ORDER BY model_version, category
