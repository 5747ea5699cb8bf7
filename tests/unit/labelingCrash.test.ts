/**
 * Durability against real crashes: `kill -9` at random moments of the real processes — `sift labels ingest` fed
 * events on stdin, and the engine process behind the browser-mode server while an annotator labels over HTTP.
 * Every event acknowledged before a kill is there afterwards, and the session resumes at the right item.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { EngineClient } from '../../electron/engine/engineClient';
import { Host } from '../../electron/host/host';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { type RunningServer, startServer } from '../../electron/server';
import type { SessionSummary } from '../../shared/contract';
import { LabelLog } from '../../shared/labeling';
import { call, postCall, tempDir, unwrap } from './support';

let dir: string;
let session: SessionSummary;
const home = tempDir('sift-crash-home-');

/** A deterministic stream of kill points, so a failure can be replayed. */
function* killPoints(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    yield state / 2 ** 32;
  }
}

async function eventsOnDisk(): Promise<{ ids: Set<string>; log: LabelLog }> {
  const host = await Host.open(dir, { remember: false });
  try {
    const labeling = await host.labeling();
    const out = path.join(tempDir('sift-crash-out-'), 'trail.ndjson');
    await labeling.exportEvents(session.id, 'ndjson', out);
    const { readFileSync } = await import('node:fs');
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    return {
      ids: new Set(events.map((event: { event_id: string }) => event.event_id)),
      log: LabelLog.of(
        events.map((e: Record<string, unknown>) => ({ ...e, created_at: String(e.created_at) })) as never,
      ),
    };
  } finally {
    await host.close();
  }
}

beforeAll(async () => {
  dir = path.join(tempDir('sift-crash-'), 'ws');
  await (await createSampleWorkspace(dir)).close();
  const host = await Host.open(dir, { remember: false });
  try {
    // The sample's older version has scores already: no scoring needed to rank.
    session = await call(host, 'sessions.create', {
      name: 'crash',
      pool: "SELECT content_id FROM content WHERE content_id < 'c00004000'",
      model: 'text-distil',
      version: '2024.03.0',
      strategy: 'random',
      batchSize: 400,
    });
  } finally {
    await host.close();
  }
}, 120_000);

describe('kill -9 during labels ingest', () => {
  it('never loses an event whose id was printed', async () => {
    const pool = await (async () => {
      const host = await Host.open(dir, { remember: false });
      try {
        const batch = await call(host, 'sessions.next', { sessionId: session.id, annotator: 'feed' });
        return batch.items.map((item) => item.contentId);
      } finally {
        await host.close();
      }
    })();
    const acknowledged: string[] = [];
    const points = killPoints(20261126);
    for (let round = 0; round < 6; round++) {
      const child: ChildProcess = spawn(
        'node',
        ['bin/sift.mjs', 'labels', 'ingest', '--workspace', dir, '--session', session.id, '--annotator', 'feed'],
        {
          env: { ...process.env, SIFT_HOME: home },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      // Feed events in bursts while it runs; kill it at a random moment once it has acknowledged some. Everything
      // here follows the process's own progress, never the clock: the kill point is a count of acknowledgements,
      // and a new burst is written only while fewer than WINDOW events wait for an answer, so a slow start on a
      // loaded machine finds a pipe of a few bursts, not minutes' worth of events.
      const target = 5 + Math.floor(points.next().value! * 300);
      const WINDOW = 100;
      let stdout = '';
      let stderr = '';
      let written = 0;
      let killed = false;
      let exitedByItself = false;
      // Every event is answered once: its id on stdout, or a line on stderr naming it (nothing to undo, rejected).
      const answered = () => stdout.split('\n').length - 1 + (stderr.match(/^sift: stdin line \d+/gm) ?? []).length;
      const feed = () => {
        while (!killed && written - answered() < WINDOW) {
          const lines = Array.from({ length: 20 }, (_, i) => {
            const contentId = pool[(round * 37 + i * 7 + acknowledged.length) % pool.length]!;
            return i % 9 === 8
              ? JSON.stringify({ kind: 'undo' })
              : i % 5 === 4
                ? JSON.stringify({ kind: 'skip', content_id: contentId })
                : JSON.stringify({ content_id: contentId, category: 'spam', value: i % 2 });
          });
          child.stdin!.write(`${lines.join('\n')}\n`, () => undefined);
          written += lines.length;
        }
      };
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      onTestFinished(() => void child.kill('SIGKILL')); // never outlives a failed test
      const reachedKillPoint = new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.split('\n').length - 1 >= target) resolve();
          else feed();
        });
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          feed();
        });
        void exited.then(() => {
          exitedByItself = !killed;
          resolve();
        });
      });
      // Writes racing the kill meet a closed pipe (EPIPE): expected here, not a failure of the test.
      child.stdin!.on('error', () => undefined);
      feed();
      await reachedKillPoint;
      killed = true;
      child.kill('SIGKILL');
      await exited;
      expect(
        exitedByItself,
        `round ${round}: sift labels ingest exited before ${target} acknowledgements; stderr: ${stderr}`,
      ).toBe(false);
      const printed = stdout
        .split('\n')
        .filter((line) => line.endsWith('}'))
        .map((line) => (JSON.parse(line) as { event_id: string }).event_id);
      expect(printed.length, `round ${round}: nothing acknowledged; stderr: ${stderr}`).toBeGreaterThan(0);
      acknowledged.push(...printed);
    }
    const { ids } = await eventsOnDisk();
    const lost = acknowledged.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(30);
  }, 900_000); // a safety net only: each round waits on acknowledgements, and a loaded machine is slower, not wrong
});

describe('kill -9 of the engine while an annotator labels over HTTP', () => {
  let engine: EngineClient;
  let server: RunningServer;
  let closed = false;

  beforeAll(async () => {
    engine = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] } });
    server = await startServer({ host: engine, staticDir: tempDir() });
  }, 60_000);
  afterAll(async () => {
    if (closed) return;
    await server?.close();
    await engine?.close();
  });

  it('keeps every acknowledged label and resumes at the next item', async () => {
    const points = killPoints(7);
    const acknowledged: { eventIds: string[]; contentId: string }[] = [];
    let crashesDuringACall = 0;
    for (let round = 0; round < 5; round++) {
      const batch = unwrap(await postCall(server, 'sessions.next', { sessionId: session.id, annotator: 'ana' }));
      const open = batch.items.filter((item) => item.state === null);
      const killAfter = 2 + Math.floor(points.next().value! * 12);
      const pid = engine.pid!;
      const restarted = new Promise<void>((resolve) => {
        const stop = engine.onEvent((event) => {
          if (event.channel !== 'engine' || event.event.type !== 'restarted') return;
          stop();
          resolve();
        });
      });
      let inFlightFailed = false;
      for (let i = 0; i < open.length; i++) {
        const contentId = open[i]!.contentId;
        const pending = postCall(server, 'labels.record', {
          sessionId: session.id,
          annotator: 'ana',
          action: {
            kind: 'label',
            contentId,
            labels: [
              { category: 'spam', value: i % 2 === 0 ? 0 : 1 },
              { category: 'hate_speech', value: 0 },
            ],
          },
        });
        // Kill while this label is in flight: it may or may not be on disk, but it was never acknowledged.
        if (i === killAfter) setTimeout(() => process.kill(pid, 'SIGKILL'), Math.floor(points.next().value! * 3));
        const outcome = await pending;
        if (!outcome.ok) {
          expect(outcome.error.code).toBe('ENGINE_STOPPED');
          inFlightFailed = true;
          break;
        }
        acknowledged.push({ eventIds: outcome.value.eventIds, contentId });
        if (i > killAfter + 20) break;
      }
      // The shell restarts the engine on the same workspace; wait for that (an event, not a count of tries).
      await restarted;
      expect(engine.pid).not.toBe(pid);
      expect((await postCall(server, 'workspace.info', {})).ok).toBe(true);
      // Resumes at the right item: the first item not acknowledged, or the one after it if the in-flight label made it to disk.
      const resumed = unwrap(await postCall(server, 'sessions.next', { sessionId: session.id, annotator: 'ana' }));
      const firstOpen = resumed.items.find((item) => item.state === null)?.contentId;
      const lastAcked = open.findIndex((item) => item.contentId === acknowledged.at(-1)!.contentId);
      expect([open[lastAcked + 1]?.contentId, open[lastAcked + 2]?.contentId]).toContain(firstOpen);
      if (inFlightFailed) crashesDuringACall++;
    }
    // Most kills land while a label is in flight (the rest between two calls); both must lose nothing.
    expect(crashesDuringACall).toBeGreaterThan(0);
    await server.close();
    await engine.close();
    closed = true;
    const { ids, log } = await eventsOnDisk();
    const lost = acknowledged.flatMap((entry) => entry.eventIds).filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    for (const entry of acknowledged) expect(log.item('ana', entry.contentId)?.status).toBe('labeled');
  }, 600_000); // a safety net only: every wait is on an answer or an event
});
