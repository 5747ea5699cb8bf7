/** The hand-made workspace the labeling and dataset tests share, and the session calls the labeling tests make. */
import { Host } from '../../electron/host/host';
import type { LabelAction } from '../../shared/contract';
import { call } from './support';

const SPAM = (n: number) => `Buy cheap followers now at example.com code ${n} 🔥🔥`;
export const TEXTS: Record<string, string> = {
  c01: SPAM(1),
  c02: SPAM(2),
  c03: 'the weather in Lisbon is lovely today',
  c04: SPAM(3),
  c05: 'they are vermin and should all be deported',
  c06: 'new bakery opens downtown next week',
  c07: 'miracle cure: drink bleach to stop the virus',
  c08: 'football final ends in a draw after extra time',
  c09: SPAM(4),
  c10: 'museum adds a dinosaur wing for children',
};
// Spam and hate scores near 0.5 make the spam copies the most uncertain: they would fill a batch without de-duplication.
const SCORES: Record<string, [number, number]> = {
  c01: [0.5, 0.45],
  c02: [0.51, 0.45],
  c03: [0.02, 0.02],
  c04: [0.49, 0.45],
  c05: [0.05, 0.6],
  c06: [0.01, 0.01],
  c07: [0.3, 0.05],
  c08: [0.02, 0.03],
  c09: [0.52, 0.45],
  c10: [0.01, 0.01],
};

/** A workspace of ten posts (four copies of one spam text), two users, reports, and text-distil scores as version t1. */
export async function makeLabelingWorkspace(target: string): Promise<Host> {
  const opened = await Host.open(target, { create: true, remember: false });
  await opened.workspace.withConnection(async (conn) => {
    await conn.run(
      `CREATE TABLE users AS SELECT * FROM (VALUES ('u1', TIMESTAMP '2024-01-01 00:00:00'), ('u2', TIMESTAMP '2024-02-20 00:00:00')) t(user_id, created_at)`,
    );
    const rows = Object.entries(TEXTS).map(
      ([id, text], i) =>
        `('${id}', 'u${(i % 2) + 1}', '${text.replace(/'/g, "''")}', TIMESTAMP '2024-03-01 10:00:00', ${(i + 1) * 100}, 'post', 'en', 'text')`,
    );
    await conn.run(
      `CREATE TABLE content AS SELECT * FROM (VALUES ${rows.join(', ')}) t(content_id, user_id, text, created_at, views_24h, surface, language, content_type)`,
    );
    await conn.run(
      `CREATE TABLE reports AS SELECT * FROM (VALUES ('r1', 'c05', 'hate'), ('r2', 'c05', 'hate'), ('r3', 'c07', 'misinformation')) t(report_id, content_id, reason)`,
    );
    const scores = Object.entries(SCORES).flatMap(([id, [spam, hate]]) => [
      `('${id}', 'text-distil', 't1', 'spam', ${spam})`,
      `('${id}', 'text-distil', 't1', 'hate_speech', ${hate})`,
      `('${id}', 'text-distil', 't1', 'nsfw', 0.01)`,
      `('${id}', 'text-distil', 't1', 'misinformation', ${id === 'c07' ? 0.55 : 0.01})`,
      `('${id}', 'text-distil', 't1', 'csam', 0.001)`,
    ]);
    await conn.run(
      `CREATE TABLE model_scores AS SELECT * FROM (VALUES ${scores.join(', ')}) t(content_id, model, model_version, category, score)`,
    );
  });
  return opened;
}

/** The session calls of the labeling tests, against the host a test holds now (a reopen replaces it). */
export function sessionCalls(host: () => Host) {
  const createSession = (overrides: Record<string, unknown> = {}) =>
    call(host(), 'sessions.create', {
      name: 'Uncertain spam',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'entropy',
      batchSize: 3,
      ...overrides,
    });
  const next = (sessionId: string, annotator = 'ana') => call(host(), 'sessions.next', { sessionId, annotator });
  const record = (sessionId: string, action: LabelAction, annotator = 'ana') =>
    call(host(), 'labels.record', { sessionId, annotator, action });
  const label = (sessionId: string, contentId: string, spam: 0 | 1) =>
    record(sessionId, {
      kind: 'label',
      contentId,
      labels: [
        { category: 'spam', value: spam },
        { category: 'hate_speech', value: 0 },
      ],
    });
  return { createSession, next, record, label };
}
