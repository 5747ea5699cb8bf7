/**
 * Every multi-step write survives `kill -9` at any moment: the real process (the `sift` CLI, or the engine process
 * the app and the server run) is killed at 20 or more seeded points spread across the run — delays drawn over the
 * time an uninterrupted run takes on this machine, now — then run again to the end, and what is on disk is compared
 * with an uninterrupted run on a copy of the same workspace. State is judged, never speed: a kill that comes after a
 * run finished is counted, not failed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { DatasetManifest, LabelImportOutcome, PolicyMigration, RetrainOutcome, SessionSummary } from '../../shared/contract';
import { TAXONOMY_V1 } from '../../shared/taxonomy';
import { tempDir } from './support';

const exec = promisify(execFile);
const home = tempDir('sift-kill-home-');
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

async function sift(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return exec('node', ['bin/sift.mjs', ...args], { env: { ...process.env, SIFT_HOME: home }, maxBuffer: 256 << 20 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr, ms: performance.now() - started }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error, ms: performance.now() - started }),
  );
}

/** Runs `sift ARGS` and kills it (and the engine child it may have) with SIGKILL after `delayMs`; true when the kill found it running. */
function killedAfter(args: string[], delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn('node', ['bin/sift.mjs', ...args], { env: { ...process.env, SIFT_HOME: home }, stdio: 'ignore', detached: true });
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

/** Kills `sift ARGS` at KILLS seeded points spread over `runMs`, on one workspace, one after another; returns how many found it running. */
async function killRepeatedly(args: string[], runMs: number, seed: number): Promise<number> {
  const points = seeded(seed);
  let hit = 0;
  for (let i = 0; i < KILLS; i++) if (await killedAfter(args, Math.round(points.next().value! * runMs))) hit++;
  return hit;
}

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
async function sessionsByName(dir: string): Promise<Record<string, { count: number; items: number; strategy: string; policy: string }>> {
  const out = await sift('session', 'list', '--json', '--workspace', dir);
  expect(out.code, out.stderr).toBe(0);
  const byName: Record<string, { count: number; items: number; strategy: string; policy: string }> = {};
  for (const session of JSON.parse(out.stdout) as { name: string; ranked: number; strategy: string; policyVersion: string }[]) {
    const entry = (byName[session.name] ??= { count: 0, items: session.ranked, strategy: session.strategy, policy: session.policyVersion });
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
                { name: 'spam_commercial', title: 'Commercial spam', severity: 'low' as const, guideline: 'Selling or advertising.', leaves: [] },
                { name: 'spam_coordinated', title: 'Coordinated spam', severity: 'high' as const, guideline: 'Accounts acting in concert.', leaves: [] },
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
    expect(hit).toBeGreaterThanOrEqual(KILLS / 2); // most kills land while it runs
    const resumed = await sift('policy', 'migrate', '--json', '--workspace', killed);
    expect(resumed.code, resumed.stderr).toBe(0);
    const outcome = JSON.parse(resumed.stdout) as PolicyMigration;
    expect({ ...outcome, carriedSession: null, relabelSession: null, alreadyCarried: null }).toEqual({ ...expected, carriedSession: null, relabelSession: null, alreadyCarried: null });
    const carriedEvents = (dir: string) => rows(dir, "SELECT event_id, content_id, annotator_id, category, value, kind FROM label_events WHERE policy_version = 'v2' ORDER BY event_id");
    expect(await carriedEvents(killed)).toEqual(await carriedEvents(reference));
    expect(await rows(killed, 'SELECT count(*) - count(DISTINCT event_id) AS doubled FROM label_events')).toEqual([{ doubled: 0 }]);
    expect(await sessionsByName(killed)).toEqual(await sessionsByName(reference));
    expect(leftovers(killed)).toEqual([]);
  }, 600_000);

  it('labels import (a Label Studio export, into a new session)', async () => {
    const source = copyOf(base, 'import-source');
    const file = path.join(tempDir('sift-kill-import-file-'), 'team.json');
    const exported = await sift('labels', 'export', '--workspace', source, '--format', 'label-studio', '--out', file);
    expect(exported.code, exported.stderr).toBe(0);
    const reference = copyOf(base, 'import-reference');
    const killed = copyOf(base, 'import-killed');
    const args = (dir: string) => ['labels', 'import', '--format', 'label-studio', file, '--json', '--workspace', dir];

    const whole = await sift(...args(reference));
    expect(whole.code, whole.stderr).toBe(0);
    const expected = JSON.parse(whole.stdout) as LabelImportOutcome;
    expect(expected.imported).toBeGreaterThan(1000);

    const hit = await killRepeatedly(args(killed), whole.ms, 23);
    expect(hit).toBeGreaterThanOrEqual(KILLS / 2);
    const resumed = await sift(...args(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    const outcome = JSON.parse(resumed.stdout) as LabelImportOutcome;
    expect(outcome.imported + outcome.alreadyPresent).toBe(expected.imported);
    const imported = (dir: string) => rows(dir, "SELECT event_id, content_id, annotator_id, category, value, kind FROM label_events WHERE starts_with(event_id, 'ls-') ORDER BY event_id");
    expect(await imported(killed)).toEqual(await imported(reference));
    const current = (dir: string) => rows(dir, 'SELECT content_id, annotator_id, category, value, leaf FROM current_labels ORDER BY ALL');
    expect(await current(killed)).toEqual(await current(reference));
    expect(await rows(killed, 'SELECT count(*) - count(DISTINCT event_id) AS doubled FROM label_events')).toEqual([{ doubled: 0 }]);
    expect(await sessionsByName(killed)).toEqual(await sessionsByName(reference));
    expect(leftovers(killed)).toEqual([]);
  }, 600_000);

  it('dataset export', async () => {
    const reference = copyOf(base, 'export-reference');
    const killed = copyOf(base, 'export-killed');
    const outOf = (dir: string) => fs.mkdirSync(path.join(path.dirname(dir), 'datasets'), { recursive: true }) ?? path.join(path.dirname(dir), 'datasets');
    const args = (dir: string) => ['dataset', 'export', '--name', 'labels', '--out', outOf(dir), '--json', '--workspace', dir];

    const whole = await sift(...args(reference));
    expect(whole.code, whole.stderr).toBe(0);
    const expected = JSON.parse(whole.stdout) as DatasetManifest;

    const hit = await killRepeatedly(args(killed), whole.ms, 24);
    expect(hit).toBeGreaterThanOrEqual(KILLS / 2);
    const resumed = await sift(...args(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    // Each run that got as far as publishing made a version; every version there is whole, verifies, and holds the
    // same data as the uninterrupted run's (the same labels give the same checksums).
    const folder = path.join(outOf(killed), 'labels');
    const versions = fs.readdirSync(folder);
    expect(versions.every((name) => /^v\d+$/.test(name)), versions.join(', ')).toBe(true);
    const dataFiles = (manifest: DatasetManifest) => manifest.files.map((file) => `${file.path} ${file.rows} ${file.sha256}`);
    for (const version of versions) {
      const verified = await sift('dataset', 'verify', '--workspace', killed, path.join(folder, version));
      expect(verified.code, `${version}: ${verified.stdout}${verified.stderr}`).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, version, 'manifest.json'), 'utf8')) as DatasetManifest;
      expect(dataFiles(manifest)).toEqual(dataFiles(expected));
      expect(manifest.rows).toEqual(expected.rows);
    }
    expect(leftovers(path.dirname(killed))).toEqual([]);
  }, 600_000);

  it('retrain (sift session retrain)', async () => {
    const withSession = copyOf(base, 'retrain-base');
    const created = await sift('session', 'create', '--workspace', withSession, '--name', 'loop', '--pool', "SELECT content_id FROM content WHERE content_id < 'c00002000'", '--model', 'text-distil', '--strategy', 'random', '--batch', '20', '--json');
    expect(created.code, created.stderr).toBe(0);
    const session = (JSON.parse(created.stdout) as SessionSummary).id;
    const reference = copyOf(withSession, 'retrain-reference');
    const killed = copyOf(withSession, 'retrain-killed');
    const args = (dir: string) => ['session', 'retrain', '--session', session, '--json', '--workspace', dir];

    const whole = await sift(...args(reference));
    expect(whole.code, whole.stderr).toBe(0);
    expect((JSON.parse(whole.stdout) as RetrainOutcome).version).toMatch(/-al1$/);

    const hit = await killRepeatedly(args(killed), whole.ms, 25);
    expect(hit).toBeGreaterThanOrEqual(KILLS / 2);
    // Each retrain is a round of its own: a run killed after its commit is a finished round, and the next run trains
    // the round after it. So the killed workspace holds a chain of finished rounds, each as an uninterrupted run makes
    // it, and at no moment a version in use that the session does not rank by.
    const inUse = async (dir: string) => {
      const models = JSON.parse((await sift('models', '--json', '--workspace', dir)).stdout) as { name: string; version: string }[];
      const sessions = JSON.parse((await sift('session', 'list', '--json', '--workspace', dir)).stdout) as SessionSummary[];
      return { model: models.find((model) => model.name === 'text-distil')!.version, ranksBy: sessions.find((s) => s.id === session)!.version };
    };
    const between = await inUse(killed);
    expect(between.ranksBy).toBe(between.model);

    const resumed = await sift(...args(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    const outcome = JSON.parse(resumed.stdout) as RetrainOutcome;
    const retrains = (dir: string) => sift('session', 'list', '--json', '--workspace', dir).then((out) => (JSON.parse(out.stdout) as SessionSummary[]).find((s) => s.id === session)!.retrains);
    const [reference1] = await retrains(reference);
    const chain = await retrains(killed);
    const facts = (r: RetrainOutcome) => ({ trainedOn: r.trainedOn, humanLabeled: r.humanLabeled, heldOut: r.heldOut, rescored: r.rescored, ranked: r.ranked });
    expect({ from: chain[0]!.fromVersion, version: chain[0]!.version }).toEqual({ from: reference1!.fromVersion, version: reference1!.version });
    chain.forEach((round, i) => {
      expect(round.version).toBe(`${reference1!.fromVersion}-al${i + 1}`);
      expect(round.fromVersion).toBe(i === 0 ? reference1!.fromVersion : chain[i - 1]!.version);
      expect(facts(round)).toEqual(facts(reference1!)); // the same labels, the same pool
    });
    expect(chain.at(-1)!.version).toBe(outcome.version);
    expect(await inUse(killed)).toEqual({ model: outcome.version, ranksBy: outcome.version });
    // On disk: exactly the finished rounds' folders, each trained on the uninterrupted run's labels, each with its
    // pool's scores, and nothing half-written.
    const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(fs.readdirSync(path.join(killed, 'models')).sort()).toEqual(chain.map((round) => path.basename(round.dir)).sort());
    for (const round of chain) expect(sha(path.join(round.dir, 'training-labels.csv'))).toBe(sha(path.join(reference1!.dir, 'training-labels.csv')));
    const scored = await rows(killed, `SELECT model_version, count(*) AS n FROM model_scores WHERE model = 'text-distil' AND model_version LIKE '%-al%' GROUP BY ALL ORDER BY ALL`);
    const scoredReference = await rows(reference, `SELECT count(*) AS n FROM model_scores WHERE model = 'text-distil' AND model_version = '${reference1!.version}'`);
    expect(scored).toEqual(chain.map((round) => ({ model_version: round.version, n: scoredReference[0]!.n })).sort((a, b) => (a.model_version < b.model_version ? -1 : 1)));
    expect(leftovers(killed)).toEqual([]);
  }, 900_000);
});
