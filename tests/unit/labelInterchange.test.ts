/**
 * Labels moving between Sift workspaces (label packs) and from and to Label Studio: matched by content id,
 * annotators kept, an import twice changes nothing, a bad file is refused whole with the place named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { LabelImportOutcome, SessionSummary } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { sift } from './cliFixture';
import { call, tempDir, writeTemp, runJob } from './support';

let annotatorHost: Host;
let leadHost: Host;
let leadDir: string;
let annotatorSession: SessionSummary;
let leadSession: SessionSummary;

const sessionInput = {
  name: 'spam review',
  pool: 'SELECT content_id FROM content',
  model: 'text-distil',
  version: 't1',
  strategy: 'random' as const,
  batchSize: 10,
};

async function currentLabels(host: Host, sessionId: string | null): Promise<string[]> {
  await (await host.labeling()).syncStore(); // SQL reads labels from the store's snapshot, synced a moment after writes
  return host.workspace.withConnection(async (conn) =>
    (
      await conn.runAndReadAll(
        `SELECT annotator_id || ' ' || content_id || ' ' || category || '=' || value FROM current_labels ${sessionId ? `WHERE session_id = '${sessionId}'` : ''} ORDER BY 1`,
      )
    )
      .getRowsJson()
      .map((row) => String(row[0])),
  );
}

beforeAll(async () => {
  annotatorHost = await makeLabelingWorkspace(path.join(tempDir('sift-annotator-'), 'ws'));
  leadDir = path.join(tempDir('sift-lead-'), 'ws');
  leadHost = await makeLabelingWorkspace(leadDir);
  annotatorSession = await runJob(annotatorHost, 'sessions.create', sessionInput);
  leadSession = await runJob(leadHost, 'sessions.create', sessionInput);
  const label = (host: Host, sessionId: string, annotator: string, contentId: string, spam: 0 | 1) =>
    call(host, 'labels.record', {
      sessionId,
      annotator,
      action: {
        kind: 'label',
        contentId,
        labels: [
          { category: 'spam', value: spam },
          { category: 'hate_speech', value: 0 },
        ],
      },
    });
  await label(annotatorHost, annotatorSession.id, 'cho', 'c01', 1);
  await label(annotatorHost, annotatorSession.id, 'cho', 'c03', 0);
  await label(annotatorHost, annotatorSession.id, 'cho', 'c05', 1);
  await call(annotatorHost, 'labels.record', {
    sessionId: annotatorSession.id,
    annotator: 'cho',
    action: { kind: 'undo' },
  }); // c05 taken back
  await label(annotatorHost, annotatorSession.id, 'dev', 'c01', 1); // another annotator in the same workspace
  await label(leadHost, leadSession.id, 'lead', 'c01', 1);
}, 60_000);
afterAll(async () => {
  await annotatorHost?.close();
  await leadHost?.close();
});

describe('label packs', () => {
  it("carry one annotator's events to another workspace, matched by content id; importing twice adds nothing", async () => {
    const pack = path.join(tempDir('sift-pack-'), 'cho.ndjson');
    const exported = await call(annotatorHost, 'labels.export', {
      sessionId: annotatorSession.id,
      format: 'ndjson',
      path: pack,
      annotator: 'cho',
    });
    expect(exported.events).toBe(7); // 3 labels × 2 categories, and the undo
    expect(fs.readFileSync(pack, 'utf8')).not.toContain('"dev"');
    const first = await call(leadHost, 'labels.import', { sessionId: leadSession.id, path: pack });
    expect(first).toMatchObject({ events: 7, imported: 7, alreadyPresent: 0, annotators: ['cho'] });
    // The undo travels with its labels: cho's current labels are c01 and c03 only.
    expect(await currentLabels(leadHost, leadSession.id)).toEqual([
      'cho c01 hate_speech=0',
      'cho c01 spam=1',
      'cho c03 hate_speech=0',
      'cho c03 spam=0',
      'lead c01 hate_speech=0',
      'lead c01 spam=1',
    ]);
    const again = await call(leadHost, 'labels.import', { sessionId: leadSession.id, path: pack });
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 7 });
    expect((await currentLabels(leadHost, leadSession.id)).length).toBe(6);
  });

  it('refuses a damaged pack whole, naming the line, and writes nothing', async () => {
    const good = JSON.stringify({
      event_id: 'x1',
      annotator_id: 'eve',
      content_id: 'c02',
      kind: 'label',
      category: 'spam',
      value: '1',
      policy_version: 'v1',
      created_at: '2024-03-02T00:00:00Z',
    });
    const badCategory = JSON.stringify({
      event_id: 'x2',
      annotator_id: 'eve',
      content_id: 'c02',
      kind: 'label',
      category: 'scam',
      value: '1',
      policy_version: 'v1',
      created_at: '2024-03-02T00:00:00Z',
    });
    const notInPool = JSON.stringify({
      event_id: 'x3',
      annotator_id: 'eve',
      content_id: 'c99',
      kind: 'label',
      category: 'spam',
      value: '1',
      policy_version: 'v1',
      created_at: '2024-03-02T00:00:00Z',
    });
    const dir = tempDir('sift-badpack-');
    const before = await currentLabels(leadHost, leadSession.id);
    expect(
      await leadHost.dispatch('labels.import', {
        sessionId: leadSession.id,
        path: writeTemp(dir, 'a.ndjson', `${good}\n{oops\n`),
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('a.ndjson line 2: not JSON.') } });
    expect(
      await leadHost.dispatch('labels.import', {
        sessionId: leadSession.id,
        path: writeTemp(dir, 'b.ndjson', `${good}\n${badCategory}\n`),
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('category "scam" is not in policy v1') } });
    expect(
      await leadHost.dispatch('labels.import', {
        sessionId: leadSession.id,
        path: writeTemp(dir, 'c.ndjson', `${good}\n${notInPool}\n`),
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('content_id c99 is not in session') } });
    expect(await currentLabels(leadHost, leadSession.id)).toEqual(before);
  });
});

describe('Label Studio', () => {
  it('exports current labels as Label Studio tasks, which import back to the same labels', async () => {
    const file = path.join(tempDir('sift-ls-'), 'tasks.json');
    const exported = await call(annotatorHost, 'labels.export', {
      sessionId: annotatorSession.id,
      format: 'label-studio',
      path: file,
    });
    const tasks = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      data: { content_id: string; text: string };
      annotations: { completed_by: { email: string }; result: { from_name: string; value: { choices: string[] } }[] }[];
    }[];
    expect(tasks.map((task) => task.data.content_id).sort()).toEqual(['c01', 'c03']);
    expect(exported.events).toBe(3); // cho on c01 and c03, dev on c01
    const c01 = tasks.find((task) => task.data.content_id === 'c01')!;
    expect(c01.data.text).toContain('Buy cheap followers');
    expect(c01.annotations.map((a) => a.completed_by.email).sort()).toEqual(['cho', 'dev']);
    expect(c01.annotations[0]!.result[0]).toMatchObject({ from_name: 'categories', value: { choices: ['spam'] } });
    // Into the lead's workspace, a new session over the file's items (none named).
    const imported = await call(leadHost, 'labels.import', { path: file, format: 'label-studio' });
    expect(imported.sessionId).not.toBe(leadSession.id);
    expect(imported.annotators).toEqual(['cho', 'dev']);
    // dev's labels arrive only through this file; cho's current labels (an annotator's latest, in any session) agree.
    const labels = await currentLabels(leadHost, imported.sessionId);
    expect(labels).toEqual(expect.arrayContaining(['dev c01 spam=1', 'dev c01 hate_speech=0', 'dev c01 nsfw=0'])); // a multi-choice answer says the rest do not apply
    const everywhere = await currentLabels(leadHost, null);
    expect(everywhere).toEqual(expect.arrayContaining(['cho c01 spam=1', 'cho c03 spam=0', 'cho c01 nsfw=0']));
    expect(
      (
        await call(leadHost, 'labels.import', {
          sessionId: imported.sessionId,
          path: file,
          format: 'label-studio',
        })
      ).imported,
    ).toBe(0);
  });

  it('reads per-category yes/no controls, leaves and skipped tasks, and names what it cannot read', async () => {
    const dir = tempDir('sift-ls-hand-');
    const tasks = [
      {
        id: 11,
        data: { content_id: 'c05', text: '…' },
        annotations: [
          {
            id: 1,
            completed_by: 7,
            result: [
              { from_name: 'hate_speech', type: 'choices', value: { choices: ['Yes'] } },
              { from_name: 'hate_speech_leaf', type: 'choices', value: { choices: ['slurs_untargeted'] } },
            ],
          },
          { id: 2, completed_by: { email: 'gil@example.org' }, was_cancelled: true, result: [] },
        ],
      },
    ];
    const outcome = await call(leadHost, 'labels.import', {
      sessionId: leadSession.id,
      path: writeTemp(dir, 'hand.json', JSON.stringify(tasks)),
      format: 'label-studio',
    });
    expect(outcome).toMatchObject({ imported: 2, annotators: ['gil@example.org', 'ls-user-7'] });
    expect(await currentLabels(leadHost, leadSession.id)).toContain('ls-user-7 c05 hate_speech=1');
    const missingId = [{ id: 1, data: { text: 'no id' }, annotations: [] }];
    expect(
      await leadHost.dispatch('labels.import', {
        sessionId: leadSession.id,
        path: writeTemp(dir, 'noid.json', JSON.stringify(missingId)),
        format: 'label-studio',
      }),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('noid.json task 1: data.content_id is missing') },
    });
    const unknown = [
      {
        id: 1,
        data: { content_id: 'c02' },
        annotations: [{ id: 1, result: [{ from_name: 'categories', value: { choices: ['scam'] } }] }],
      },
    ];
    expect(
      await leadHost.dispatch('labels.import', {
        sessionId: leadSession.id,
        path: writeTemp(dir, 'unknown.json', JSON.stringify(unknown)),
        format: 'label-studio',
      }),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('"scam" is not a category of policy v1') },
    });
  });

  it('sift labels import --format label-studio FILE, then export --format label-studio, on the command line', async () => {
    // Annotations this workspace has not seen yet (the exported ones came in above).
    const file = writeTemp(
      tempDir('sift-ls-cli-'),
      'tasks.json',
      JSON.stringify([
        {
          id: 1,
          data: { content_id: 'c01' },
          annotations: [
            {
              id: 1,
              completed_by: { email: 'hal' },
              result: [{ from_name: 'categories', value: { choices: ['spam'] } }],
            },
          ],
        },
        {
          id: 2,
          data: { content_id: 'c03' },
          annotations: [
            { id: 2, completed_by: { email: 'hal' }, result: [{ from_name: 'categories', value: { choices: [] } }] },
          ],
        },
      ]),
    );
    await leadHost.close(); // the CLI opens the workspace itself
    const run = (...args: string[]) => sift(...args, '--workspace', leadDir);
    const imported = JSON.parse(
      (await run('labels', 'import', '--format', 'label-studio', file, '--json')).stdout,
    ) as LabelImportOutcome;
    expect(imported.imported).toBeGreaterThan(0);
    const back = (await run('labels', 'export', '--session', imported.sessionId, '--format', 'label-studio')).stdout;
    expect((JSON.parse(back) as { data: { content_id: string } }[]).map((task) => task.data.content_id).sort()).toEqual(
      ['c01', 'c03'],
    );
    // Without --session, Label Studio tasks cover every session's current labels; other formats still need one.
    const everything = JSON.parse((await run('labels', 'export', '--format', 'label-studio')).stdout) as {
      data: { content_id: string };
      annotations: { completed_by: { email: string } }[];
    }[];
    expect(new Set(everything.flatMap((task) => task.annotations.map((a) => a.completed_by.email)))).toEqual(
      new Set(['cho', 'dev', 'lead', 'hal', 'ls-user-7']),
    ); // gil only skipped: no labels
    expect((await run('labels', 'export', '--format', 'ndjson')).code).toBe(2);
    const bad = await run('labels', 'import', '--format', 'label-studio');
    expect(bad.code).toBe(2);
    leadHost = await (await import('../../electron/host/host')).Host.open(leadDir, { remember: false });
  }, 60_000);
});
