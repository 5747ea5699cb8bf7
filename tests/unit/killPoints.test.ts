/**
 * Every multi-step write survives `kill -9` at any moment: the real process (the `sift` CLI, or the engine process
 * the app and the server run) is killed at 20 or more seeded points spread across the run — delays drawn over the
 * time an uninterrupted run takes on this machine, now — then run again to the end, and what is on disk is compared
 * with an uninterrupted run on a copy of the same workspace. State is judged, never speed: a kill that comes after a
 * run finished is counted, not failed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../electron/engine/engineClient';
import { Host } from '../../electron/host/host';
import type {
  CallOutcome,
  DatasetManifest,
  DatasetVerification,
  LabelImportOutcome,
  PolicyMigration,
  RetrainOutcome,
  SessionSummary,
} from '../../shared/contract';
import { TAXONOMY_V1 } from '../../shared/taxonomy';
import { home, sift } from './cliFixture';
import { call, jobOutcomeOf, tempDir, unwrap } from './support';

const KILLS = 20;
let base: string;

/** A deterministic stream of fractions in [0, 1), so a failure can be replayed. */
function* seeded(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    yield state / 2 ** 32;
  }
}

/** Runs `sift ARGS` and kills it (and the engine child it may have) with SIGKILL after `delayMs`; true when the kill found it running. */
function killedAfter(args: string[], delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn('node', ['bin/sift.mjs', ...args], {
      env: { ...process.env, SIFT_HOME: home },
      stdio: 'ignore',
      detached: true,
    });
    let exited = false;
    const timer = setTimeout(() => {
      if (exited) return;
      try {
        process.kill(-child.pid!, 'SIGKILL'); // its process group: sift and any engine child it started
      } catch {
        // gone between the check and the kill
      }
    }, delayMs);
    child.once('exit', (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

/**
 * Kills a run at seeded points spread over `runMs` (an uninterrupted run's time), one run after another on one
 * workspace, until KILLS kills have found it running: a run that finished before its point (a resumed run can be
 * quicker) is not a kill, and the next point is drawn. Returns the kills that landed.
 */
async function killUntil(kill: (delayMs: number) => Promise<boolean>, runMs: number, seed: number): Promise<number> {
  const points = seeded(seed);
  let hit = 0;
  for (let attempt = 0; attempt < 4 * KILLS && hit < KILLS; attempt++)
    if (await kill(Math.round(points.next().value! * runMs))) hit++;
  return hit;
}

const killRepeatedly = (args: string[], runMs: number, seed: number) =>
  killUntil((delayMs) => killedAfter(args, delayMs), runMs, seed);

function copyOf(from: string, name: string): string {
  const dir = path.join(tempDir(`sift-kill-${name}-`), 'ws');
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

async function rows(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const out = await sift('query', '--workspace', dir, '--format', 'json', '--sql', sql);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown>[];
}

/** The sessions of a workspace by name (ids are random): name → items, strategy, policy; and how many of each name. */
async function sessionsByName(
  dir: string,
): Promise<Record<string, { count: number; items: number; strategy: string; policy: string }>> {
  const out = await sift('session', 'list', '--json', '--workspace', dir);
  expect(out.code, out.stderr).toBe(0);
  const byName: Record<string, { count: number; items: number; strategy: string; policy: string }> = {};
  for (const session of JSON.parse(out.stdout) as {
    name: string;
    ranked: number;
    strategy: string;
    policyVersion: string;
  }[]) {
    const entry = (byName[session.name] ??= {
      count: 0,
      items: session.ranked,
      strategy: session.strategy,
      policy: session.policyVersion,
    });
    entry.count++;
  }
  return byName;
}

/** Files a killed run may leave half-written anywhere in a workspace: none may remain after the run that follows. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (/\.partial|^\.staging-/.test(entry.name)) found.push(path.relative(dir, full));
      else if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

beforeAll(async () => {
  base = path.join(tempDir('sift-kill-base-'), 'ws');
  expect((await sift('sample', '--workspace', base)).code).toBe(0);
  expect((await sift('session', 'list', '--workspace', base)).code).toBe(0); // the labeling service writes policy v1
}, 180_000);

describe('kill -9 at 20 seeded points, then run again: the same as an uninterrupted run', () => {
  it('policy migrate', async () => {
    const v2 = {
      ...TAXONOMY_V1,
      version: 'v2',
      changes: [
        { kind: 'rename', from: 'hate_speech', to: 'hateful_conduct' },
        { kind: 'split', from: 'spam', into: ['spam_commercial', 'spam_coordinated'] },
        { kind: 'definition', category: 'misinformation' },
      ],
      categories: TAXONOMY_V1.categories.flatMap((category) =>
        category.name === 'hate_speech'
          ? [{ ...category, name: 'hateful_conduct', title: 'Hateful conduct' }]
          : category.name === 'spam'
            ? [
                {
                  name: 'spam_commercial',
                  title: 'Commercial spam',
                  severity: 'low' as const,
                  guideline: 'Selling or advertising.',
                  leaves: [],
                },
                {
                  name: 'spam_coordinated',
                  title: 'Coordinated spam',
                  severity: 'high' as const,
                  guideline: 'Accounts acting in concert.',
                  leaves: [],
                },
              ]
            : [category],
      ),
    };
    const withV2 = copyOf(base, 'migrate-base');
    fs.writeFileSync(path.join(withV2, 'policy', 'taxonomy-v2.json'), JSON.stringify(v2, null, 2));
    const reference = copyOf(withV2, 'migrate-reference');
    const killed = copyOf(withV2, 'migrate-killed');

    const whole = await sift('policy', 'migrate', '--json', '--workspace', reference);
    expect(whole.code, whole.stderr).toBe(0);
    const expected = JSON.parse(whole.stdout) as PolicyMigration;
    expect(expected.carried).toBeGreaterThan(1000);

    const hit = await killRepeatedly(['policy', 'migrate', '--json', '--workspace', killed], whole.ms, 22);
    expect(hit).toBe(KILLS);
    const resumed = await sift('policy', 'migrate', '--json', '--workspace', killed);
    expect(resumed.code, resumed.stderr).toBe(0);
    const outcome = JSON.parse(resumed.stdout) as PolicyMigration;
    expect({ ...outcome, carriedSession: null, relabelSession: null, alreadyCarried: null }).toEqual({
      ...expected,
      carriedSession: null,
      relabelSession: null,
      alreadyCarried: null,
    });
    const carriedEvents = (dir: string) =>
      rows(
        dir,
        "SELECT event_id, content_id, annotator_id, category, value, kind FROM label_events WHERE policy_version = 'v2' ORDER BY event_id",
      );
    expect(await carriedEvents(killed)).toEqual(await carriedEvents(reference));
    expect(await rows(killed, 'SELECT count(*) - count(DISTINCT event_id) AS doubled FROM label_events')).toEqual([
      { doubled: 0 },
    ]);
    expect(await sessionsByName(killed)).toEqual(await sessionsByName(reference));
    expect(leftovers(killed)).toEqual([]);
  }, 600_000);
  it('dataset export', async () => {
    const reference = copyOf(base, 'export-reference');
    const killed = copyOf(base, 'export-killed');
    const [outReference, outKilled] = [tempDir('sift-kill-out-ref-'), tempDir('sift-kill-out-')];
    const whole = await sift(
      'dataset',
      'export',
      '--name',
      'audit',
      '--out',
      outReference,
      '--json',
      '--workspace',
      reference,
    );
    expect(whole.code, whole.stderr).toBe(0);
    const expected = JSON.parse(whole.stdout) as DatasetManifest;

    const hit = await killRepeatedly(
      ['dataset', 'export', '--name', 'audit', '--out', outKilled, '--workspace', killed],
      whole.ms,
      33,
    );
    expect(hit).toBe(KILLS);
    const last = await sift(
      'dataset',
      'export',
      '--name',
      'audit',
      '--out',
      outKilled,
      '--json',
      '--workspace',
      killed,
    );
    expect(last.code, last.stderr).toBe(0);
    // Each run that was not killed before its rename published a version; every one is whole, verified against its
    // record, holds the same data as the uninterrupted export, and nothing else is left beside them.
    const versions = fs
      .readdirSync(path.join(outKilled, 'audit'))
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(versions).toEqual(versions.map((_, i) => `v${i + 1}`));
    expect((JSON.parse(last.stdout) as DatasetManifest).version).toBe(versions.length);
    const dataOf = (manifest: DatasetManifest) => manifest.files.map((file) => `${file.path} ${file.sha256}`);
    for (const version of versions) {
      const dir = path.join(outKilled, 'audit', version);
      const verified = await sift('dataset', 'verify', dir, '--json', '--workspace', killed);
      expect(JSON.parse(verified.stdout) as DatasetVerification, version).toMatchObject({
        ok: true,
        problems: [],
        scope: 'record',
      });
      expect(
        dataOf(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest),
        version,
      ).toEqual(dataOf(expected));
    }
    expect(leftovers(outKilled)).toEqual([]);
  }, 600_000);

  it('labels import', async () => {
    // A pack of one annotator's labels over 3,000 items, with some of her own undos.
    const ids = (await rows(base, 'SELECT content_id FROM content ORDER BY content_id LIMIT 3000')).map((row) =>
      String(row.content_id),
    );
    const points = seeded(44);
    const lines: string[] = [];
    ids.forEach((contentId, i) => {
      const actionId = `ext-a${i}`;
      lines.push(
        JSON.stringify({
          event_id: `ext-e${i}`,
          action_id: actionId,
          annotator_id: 'ext',
          content_id: contentId,
          kind: 'label',
          category: 'spam',
          value: points.next().value! < 0.3 ? '1' : '0',
          policy_version: 'v1',
          created_at: '2024-03-10T10:00:00Z',
        }),
      );
      if (i % 50 === 49)
        lines.push(
          JSON.stringify({
            event_id: `ext-u${i}`,
            action_id: `ext-u${i}`,
            annotator_id: 'ext',
            content_id: contentId,
            kind: 'undo',
            undoes: actionId,
            policy_version: 'v1',
            created_at: '2024-03-10T10:00:01Z',
          }),
        );
    });
    const pack = path.join(tempDir('sift-kill-pack-'), 'pack.ndjson');
    fs.writeFileSync(pack, `${lines.join('\n')}\n`);
    const reference = copyOf(base, 'import-reference');
    const killed = copyOf(base, 'import-killed');
    const whole = await sift('labels', 'import', pack, '--json', '--workspace', reference);
    expect(whole.code, whole.stderr).toBe(0);
    expect((JSON.parse(whole.stdout) as LabelImportOutcome).imported).toBe(lines.length);

    const hit = await killRepeatedly(['labels', 'import', pack, '--workspace', killed], whole.ms, 55);
    expect(hit).toBe(KILLS);
    const last = await sift('labels', 'import', pack, '--json', '--workspace', killed);
    expect(last.code, last.stderr).toBe(0);
    const theirs = (dir: string) =>
      rows(
        dir,
        "SELECT event_id, content_id, kind, value, undoes FROM label_events WHERE annotator_id = 'ext' ORDER BY event_id",
      );
    expect(await theirs(killed)).toEqual(await theirs(reference));
    const current = (dir: string) =>
      rows(dir, "SELECT content_id, value FROM current_labels WHERE annotator_id = 'ext' ORDER BY content_id");
    expect(await current(killed)).toEqual(await current(reference));
    expect(await rows(killed, 'SELECT count(*) - count(DISTINCT event_id) AS doubled FROM label_events')).toEqual([
      { doubled: 0 },
    ]);
    expect(await sessionsByName(killed)).toEqual(await sessionsByName(reference)); // one "Imported from pack.ndjson"
    expect(leftovers(killed)).toEqual([]);
  }, 600_000);

  it('retrain (the engine process killed)', async () => {
    const withSession = copyOf(base, 'retrain-base');
    // A twelfth of the sample's posts: a retrain of a couple of seconds, so 20 kills and their restarts stay short.
    expect(
      (
        await sift(
          'query',
          '--allow-writes',
          '--sql',
          "DELETE FROM content WHERE content_id >= 'c00002500'",
          '--workspace',
          withSession,
        )
      ).code,
    ).toBe(0);
    const created = await sift(
      'session',
      'create',
      '--name',
      'loop',
      '--pool',
      "SELECT content_id FROM content WHERE content_id < 'c00000400'",
      '--model',
      'text-distil',
      '--strategy',
      'entropy',
      '--batch',
      '20',
      '--json',
      '--workspace',
      withSession,
    );
    expect(created.code, created.stderr).toBe(0);
    const session = JSON.parse(created.stdout) as SessionSummary;
    const reference = copyOf(withSession, 'retrain-reference');
    const killed = copyOf(withSession, 'retrain-killed');

    /** One retrain in a fresh engine process; killed after `killMs` unless null. True when the kill found it retraining. */
    const retrain = async (
      dir: string,
      killMs: number | null,
    ): Promise<{ outcome: CallOutcome<RetrainOutcome>; ms: number; killed: boolean }> => {
      const engine = await EngineClient.start({ dir, fileAccess: { kind: 'any' } });
      try {
        const pid = engine.pid!;
        const started = performance.now();
        let done = false;
        const timer = killMs === null ? null : setTimeout(() => !done && process.kill(pid, 'SIGKILL'), killMs);
        const outcome = await jobOutcomeOf(engine, 'sessions.retrain', { sessionId: session.id });
        done = true;
        if (timer) clearTimeout(timer);
        return {
          outcome,
          ms: performance.now() - started,
          killed: !outcome.ok && outcome.error.code === 'ENGINE_STOPPED',
        };
      } finally {
        await engine.close();
      }
    };
    const whole = await retrain(reference, null);
    expect(whole.outcome.ok, JSON.stringify(whole.outcome)).toBe(true);
    const expected = unwrap(whole.outcome);

    const hit = await killUntil(async (delayMs) => (await retrain(killed, delayMs)).killed, whole.ms, 66);
    expect(hit).toBe(KILLS);
    const last = await retrain(killed, null);
    expect(last.outcome.ok, JSON.stringify(last.outcome)).toBe(true);

    // Every run either finished (a new version) or was stopped and then finished by the next: versions al1..alK with
    // no gaps, each the reference's model (the same labels train the same weights), each re-ranked once, in order.
    const state = async (dir: string) => {
      const host = await Host.open(dir, { remember: false });
      try {
        const summary = await call(host, 'sessions.get', { sessionId: session.id, annotator: 'x' });
        const scores = await host.workspace.withConnection(async (conn) =>
          (
            await conn.runAndReadAll(
              "SELECT model_version, count(*) FROM model_scores WHERE model = 'text-distil' AND model_version LIKE '%-al%' GROUP BY 1 ORDER BY 1",
            )
          ).getRowsJson(),
        );
        return {
          summary,
          scores: Object.fromEntries(scores.map(([version, n]) => [String(version), Number(n)])),
        };
      } finally {
        await host.close();
      }
    };
    const [after, before] = [await state(killed), await state(reference)];
    const versions = after.summary.retrains.map((outcome) => outcome.version);
    expect(versions).toEqual(versions.map((_, i) => expected.version.replace(/-al\d+$/, `-al${i + 1}`)));
    expect(after.summary.version).toBe(versions.at(-1));
    const weights = (dir: string) =>
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dir, 'model.onnx')))
        .digest('hex');
    for (const outcome of after.summary.retrains) {
      expect(weights(outcome.dir), outcome.version).toBe(weights(expected.dir));
      expect(after.scores[outcome.version], outcome.version).toBe(before.scores[expected.version]);
      expect(outcome.ranked).toBe(expected.ranked);
    }
    const modelFolders = fs
      .readdirSync(path.join(killed, 'models'))
      .filter((name) => name.startsWith('text-distil-'))
      .sort();
    expect(modelFolders).toEqual(versions.map((version) => `text-distil-${version}`).sort());
    expect(leftovers(killed)).toEqual([]);
  }, 900_000);
});
