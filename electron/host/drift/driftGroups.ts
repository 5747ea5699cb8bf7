/**
 * Drift of groups of scores against other groups, in DuckDB, equal to shared/drift.ts's definition: the reference
 * deciles are interpolated in JavaScript (numpy's rule, shared/drift.ts) from the sorted values at the two positions
 * each quantile reads, so they are the same doubles numpy gives; the bins are counted in SQL as cumulative counts at
 * each edge (`score <= edge`), the PSI is summed by psiFromCounts. A million scores never cross to JavaScript.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  type CategoryDrift,
  edgesFromPositions,
  HIGH_SCORE,
  psiFromCounts,
  quantilePositions,
} from '../../../shared/drift.js';

/**
 * The scores, as WITH clauses ending in `scored(category VARCHAR, grp VARCHAR, score DOUBLE)`: one score per item,
 * category and group (a period, a version, a week), NULL scores left out. Its parameters travel beside it.
 */
export interface ScoredGroups {
  withScored: string;
  params: Record<string, string | number>;
}

/** Bin the `current` group's scores over the `reference` group's edges. */
export interface GroupPair {
  current: string;
  reference: string;
}

const key = (category: string, group: string) => JSON.stringify([category, group]);
/** A double as SQL, exactly: the shortest text that reads back as the same double, cast from a string. */
const exactDouble = (value: number) => `'${String(value)}'::DOUBLE`;

/** Each pair's drift per category (every category either group has), keyed by pairKey(pair). */
export async function driftOfGroups(
  conn: DuckDBConnection,
  scored: ScoredGroups,
  pairs: GroupPair[],
): Promise<Map<string, CategoryDrift[]>> {
  // Each query's strings go in as its parameters ($d0, $d1, …); numbers made here are written out.
  const bag = () => {
    const params = { ...scored.params };
    const names = new Map<string, string>();
    const param = (value: string) => {
      let name = names.get(value);
      if (!name) names.set(value, (name = `d${names.size}`));
      params[name] = value;
      return `$${name}`;
    };
    return { params, param };
  };

  const stats = new Map<string, { n: number; above: number }>();
  const categories = new Set<string>();
  for (const [category, group, n, above] of (
    await conn.runAndReadAll(
      `${scored.withScored} SELECT category, grp, count(*), count(*) FILTER (WHERE score > ${HIGH_SCORE}) FROM scored GROUP BY ALL`,
      scored.params,
    )
  ).getRowsJson()) {
    categories.add(String(category));
    stats.set(key(String(category), String(group)), { n: Number(n), above: Number(above) });
  }
  const nOf = (category: string, group: string) => stats.get(key(category, group))?.n ?? 0;

  // The reference groups' deciles: the sorted values at the positions numpy reads.
  const references = [...new Set(pairs.map((pair) => pair.reference))];
  const positionQuery = bag();
  const wanted: string[] = [];
  for (const category of categories)
    for (const group of references) {
      const n = nOf(category, group);
      if (n === 0) continue;
      const positions = new Set(quantilePositions(n).flatMap(({ below, above }) => [below, above]));
      for (const position of positions)
        wanted.push(`(${positionQuery.param(category)}, ${positionQuery.param(group)}, ${position})`);
    }
  const valueAt = new Map<string, number>();
  if (wanted.length)
    for (const [category, group, position, score] of (
      await conn.runAndReadAll(
        `${scored.withScored},
         positions(category, grp, i) AS (VALUES ${wanted.join(', ')}),
         ranked AS (SELECT category, grp, score, row_number() OVER (PARTITION BY category, grp ORDER BY score) - 1 AS i
                    FROM scored s SEMI JOIN (SELECT DISTINCT category, grp FROM positions) p ON p.category = s.category AND p.grp = s.grp)
         SELECT r.category, r.grp, r.i, r.score FROM ranked r JOIN positions p ON p.category = r.category AND p.grp = r.grp AND p.i = r.i`,
        positionQuery.params,
      )
    ).getRowsJson())
      valueAt.set(JSON.stringify([category, group, Number(position)]), Number(score));
  const edges = new Map<string, number[]>();
  for (const category of categories)
    for (const group of references)
      edges.set(
        key(category, group),
        edgesFromPositions(nOf(category, group), (i) => valueAt.get(JSON.stringify([category, group, i]))!),
      );

  // Cumulative counts at each edge, of every group a pair bins over its reference's edges.
  const edgeQuery = bag();
  const edgeRows: string[] = [];
  for (const category of categories)
    for (const pair of pairs)
      for (const data of new Set([pair.current, pair.reference]))
        edges.get(key(category, pair.reference))!.forEach((edge, j) => {
          edgeRows.push(
            `(${edgeQuery.param(category)}, ${edgeQuery.param(data)}, ${edgeQuery.param(pair.reference)}, ${j}, ${exactDouble(edge)})`,
          );
        });
  const cumulative = new Map<string, number>();
  if (edgeRows.length)
    for (const [category, group, edgeGroup, j, count] of (
      await conn.runAndReadAll(
        `${scored.withScored},
         edges(category, grp, edge_grp, j, edge) AS (VALUES ${edgeRows.join(', ')})
         SELECT e.category, e.grp, e.edge_grp, e.j, count(*) FILTER (WHERE s.score <= e.edge)
         FROM scored s JOIN edges e ON e.category = s.category AND e.grp = s.grp GROUP BY ALL`,
        edgeQuery.params,
      )
    ).getRowsJson())
      cumulative.set(JSON.stringify([category, group, edgeGroup, Number(j)]), Number(count));
  const countsOver = (category: string, data: string, reference: string) => {
    const cuts = edges.get(key(category, reference))!;
    const below = cuts.map((_, j) => cumulative.get(JSON.stringify([category, data, reference, j])) ?? 0);
    const n = nOf(category, data);
    return [...below, n].map((count, j) => count - (j === 0 ? 0 : below[j - 1]!));
  };

  const side = (category: string, group: string) => {
    const figures = stats.get(key(category, group));
    return figures ? { n: figures.n, above: figures.above / figures.n } : { n: 0, above: null };
  };
  const result = new Map<string, CategoryDrift[]>();
  for (const pair of pairs)
    result.set(
      pairKey(pair),
      [...categories].sort().map((category) => ({
        category,
        psi: psiFromCounts(
          countsOver(category, pair.reference, pair.reference),
          countsOver(category, pair.current, pair.reference),
        ),
        reference: side(category, pair.reference),
        current: side(category, pair.current),
        edges: edges.get(key(category, pair.reference))!,
      })),
    );
  return result;
}

export const pairKey = (pair: GroupPair) => JSON.stringify([pair.current, pair.reference]);
