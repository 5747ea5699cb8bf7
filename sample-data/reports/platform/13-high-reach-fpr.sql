-- name: False positives on high-reach content
-- description: Per category: among the labelled negatives in the top fraction of content by views_24h, how many a model version scores at or above the escalate threshold (docs/release-gates.md). Labels are the majority vote of current_labels.
-- [params]
-- string :model = text-distil
-- string :version = 2024.03.0
-- double :fraction = 0.01
-- double :escalate = 0.5

WITH labels AS (SELECT content_id, category, label FROM (SELECT content_id, category, positives, negatives,
            CASE WHEN adjudicated IS NOT NULL THEN adjudicated::INTEGER WHEN positives > negatives THEN 1 WHEN negatives > positives THEN 0 END AS label,
            CASE WHEN adjudicated IS NOT NULL THEN 'adjudicated' WHEN positives = 0 OR negatives = 0 THEN 'unanimous'
                 WHEN positives <> negatives THEN 'majority' ELSE 'tied' END AS status
     FROM (SELECT content_id, category,
                  count(*) FILTER (WHERE kind = 'label' AND value = '1') AS positives,
                  count(*) FILTER (WHERE kind = 'label' AND value = '0') AS negatives,
                  first(value ORDER BY seq DESC NULLS LAST, created_at DESC, event_id DESC) FILTER (WHERE kind = 'adjudicate') AS adjudicated
           FROM current_labels WHERE value IN ('0', '1') AND kind IN ('label', 'adjudicate') AND category IS NOT NULL GROUP BY content_id, category)) WHERE label IS NOT NULL),
pairs AS (
  SELECT s.content_id, s.category, max(s.score) AS score, any_value(l.label) AS label
  FROM model_scores s JOIN labels l ON l.content_id = s.content_id AND l.category = s.category
  WHERE s.model = :model AND s.model_version = :version
  GROUP BY s.content_id, s.category),
high_reach AS (
  SELECT p.* FROM pairs p JOIN content c ON c.content_id = p.content_id
  WHERE c.views_24h >= (
  SELECT min(views_24h) AS cutoff FROM (
    SELECT views_24h, rank() OVER (ORDER BY views_24h DESC) - 1 AS more_viewed, count(*) OVER () AS total
    FROM content WHERE views_24h IS NOT NULL)
  WHERE more_viewed < :fraction * total))
SELECT category, negatives, false_positives, round(100.0 * false_positives / nullif(negatives, 0), 2) AS fpr_pct
FROM (
  SELECT category,
         count(*) FILTER (WHERE label = 0) AS negatives,
         count(*) FILTER (WHERE label = 0 AND score >= :escalate) AS false_positives
  FROM high_reach GROUP BY ALL ORDER BY ALL)
