/**
 * A label pack speaks for its one annotator only: an event "by" someone else, an adjudication, an undo of another
 * annotator's action or an event joining another's action refuses the whole file, naming the file and line. Order comes
 * from the journal, never from a time the file states: an event dated 2999 does not outrank a later label, so SQL's
 * current_labels agrees with the labeling screen. Imports through the real CLI; labels as the labeling screen makes
 * them (labels.record through the host's dispatcher).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import type { SessionSummary } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { sift } from './cliFixture';
import { call, tempDir, runJob } from './support';

let dir: string;
let session: SessionSummary;
let ann2Action: string;
let ann1Action: string;
const files = tempDir('sift-packs-files-');

async function withHost<T>(work: (host: Host) => Promise<T>): Promise<T> {
  const host = await Host.open(dir, { remember: false });
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

/** SQL's view of one annotator's current spam label on an item, through `sift query`. */
async function sqlLabel(annotator: string, contentId: string): Promise<string | null> {
  const out = await sift(
    'query',
    '--workspace',
    dir,
    '--format',
    'json',
    '--sql',
    `SELECT value FROM current_labels WHERE annotator_id = '${annotator}' AND content_id = '${contentId}' AND category = 'spam'`,
  );
  expect(out.code, out.stderr).toBe(0);
  const rows = JSON.parse(out.stdout) as { value: string }[];
  return rows[0]?.value ?? null;
}

async function labelEventCount(): Promise<number> {
  const out = await sift(
    'query',
    '--workspace',
    dir,
    '--format',
    'json',
    '--sql',
    'SELECT count(*) AS n FROM label_events',
  );
  return Number((JSON.parse(out.stdout) as { n: number }[])[0]!.n);
}

const event = (fields: Record<string, unknown>) => ({
  event_id: `e-${Math.random().toString(36).slice(2)}`,
  action_id: null,
  annotator_id: 'ann1',
  content_id: 'c03',
  kind: 'label',
  category: 'spam',
  value: '1',
  leaf: null,
  note: null,
  undoes: null,
  policy_version: 'v1',
  created_at: '2024-03-10T10:00:00Z',
  ...fields,
});

function pack(name: string, events: Record<string, unknown>[]): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  dir = path.join(tempDir('sift-packs-'), 'ws');
  const host = await makeLabelingWorkspace(dir);
  try {
    session = await runJob(host, 'sessions.create', {
      name: 'packs',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'random',
      batchSize: 10,
    });
    const label = (annotator: string, contentId: string, spam: 0 | 1) =>
      call(host, 'labels.record', {
        sessionId: session.id,
        annotator,
        action: { kind: 'label', contentId, labels: [{ category: 'spam', value: spam }] },
      });
    ann2Action = (await label('ann2', 'c01', 1)).actionId;
    ann1Action = (await label('ann1', 'c02', 1)).actionId;
  } finally {
    await host.close();
  }
}, 120_000);

describe('a label pack', () => {
  it('is refused whole when it speaks for anyone but its one annotator, naming the file and line', async () => {
    const before = await labelEventCount();
    const cases: [string, Record<string, unknown>[], RegExp][] = [
      [
        'other-annotator.ndjson',
        [event({}), event({ annotator_id: 'ann2', content_id: 'c01', value: '0' })],
        /other-annotator\.ndjson line 2: an event by "ann2" in a pack of "ann1" \(line 1\)/,
      ],
      [
        'adjudication.ndjson',
        [event({}), event({ kind: 'adjudicate', content_id: 'c01', value: '0' })],
        /adjudication\.ndjson line 2: an adjudication/,
      ],
      [
        'undo-of-another.ndjson',
        [event({}), event({ kind: 'undo', category: null, value: null, content_id: 'c01', undoes: ann2Action })],
        /undo-of-another\.ndjson line 2 .*"ann1" undoes action .*"ann2"'s; an undo may only reverse its author's own actions/,
      ],
      [
        'joins-another.ndjson',
        [event({ action_id: ann2Action, content_id: 'c01', value: '0' })],
        /joins-another\.ndjson line 1 .*action_id .* is an action of "ann2"/,
      ],
      [
        'undo-before.ndjson',
        [event({ kind: 'undo', category: null, value: null, undoes: 'a-later' }), event({ action_id: 'a-later' })],
        /undo-before\.ndjson line 1 .*not an action of session .* made before it/,
      ],
    ];
    for (const [name, events, message] of cases) {
      const outcome = await sift('labels', 'import', '--session', session.id, pack(name, events), '--workspace', dir);
      expect(outcome.code, name).toBe(1);
      expect(outcome.stderr, name).toMatch(message);
    }
    expect(await labelEventCount()).toBe(before); // nothing of any of them was written
    expect(await sqlLabel('ann2', 'c01')).toBe('1'); // ann2's label stands
  });

  it("may undo its own annotator's actions", async () => {
    const own = await sift(
      'labels',
      'import',
      '--session',
      session.id,
      pack('own-undo.ndjson', [
        event({ kind: 'undo', category: null, value: null, content_id: 'c02', undoes: ann1Action }),
      ]),
      '--workspace',
      dir,
    );
    expect(own.code, own.stderr).toBe(0);
    expect(await sqlLabel('ann1', 'c02')).toBeNull();
  });

  it('takes its place in the journal: an event dated 2999 does not outrank a later label, and SQL agrees with the labeling screen', async () => {
    const imported = await sift(
      'labels',
      'import',
      '--session',
      session.id,
      pack('future.ndjson', [event({ content_id: 'c04', value: '1', created_at: '2999-01-01T00:00:00Z' })]),
      '--workspace',
      dir,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(await sqlLabel('ann1', 'c04')).toBe('1');
    // Later, on the labeling screen, ann1 changes her mind.
    const screen = await withHost((host) =>
      call(host, 'labels.record', {
        sessionId: session.id,
        annotator: 'ann1',
        action: { kind: 'label', contentId: 'c04', labels: [{ category: 'spam', value: 0 }] },
      }),
    );
    expect(screen.item?.labels.spam?.value).toBe(0);
    expect(await sqlLabel('ann1', 'c04')).toBe('0');
  });
});
