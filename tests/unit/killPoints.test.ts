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
import type { PolicyMigration } from '../../shared/contract';
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
});
