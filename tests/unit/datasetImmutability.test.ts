/**
 * A published dataset version is immutable. Every export a caller can aim (query, labels, reports, datasets) is
 * refused anywhere inside a version folder — its own files, new files, subfolders, or through a link — and
 * `sift dataset verify` fails on anything added and on a card or manifest that differs from what Sift wrote (the
 * workspace's store keeps their SHA-256s). Through the real browser-mode server and the real CLI.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import {
  type DatasetManifest,
  type DatasetVerification,
  type InputOf,
  isJobMethodName,
  type SessionSummary,
} from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { sift } from './cliFixture';
import { postCall, postJob, postJson, tempDir, unwrap } from './support';

let host: Host;
let server: RunningServer;
let wsDir: string;
let version: string;
let session: SessionSummary;

/** Every file under a folder with its bytes (base64), links as their target: the whole state of a version. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      const name = path.join(rel, entry.name);
      if (entry.isSymbolicLink()) out[name] = `-> ${fs.readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(full, name);
      else out[name] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(dir, '');
  return out;
}

beforeAll(async () => {
  wsDir = path.join(tempDir('sift-immut-'), 'ws');
  host = await makeLabelingWorkspace(wsDir);
  await host.workspace.withConnection((conn) =>
    conn.run(
      `UPDATE content SET created_at = TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (CAST(substr(content_id, 2) AS INTEGER) - 1) DAY`,
    ),
  );
  const staticDir = tempDir('sift-immut-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
  const created = await postJob(server, host, 'sessions.create', {
    name: 'to export',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    version: 't1',
    strategy: 'random',
    batchSize: 10,
  });
  session = unwrap(created);
  for (const id of ['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08']) {
    const recorded = await postCall(server, 'labels.record', {
      sessionId: session.id,
      annotator: 'ana',
      action: { kind: 'label', contentId: id, labels: [{ category: 'spam', value: id === 'c01' ? 1 : 0 }] },
    });
    expect(recorded.ok).toBe(true);
  }
  const exported = await postJob(server, host, 'datasets.export', {
    name: 'audit',
    sessions: [session.id],
    cutDate: '2024-03-05T00:00:00Z',
    valDays: 2,
  });
  expect(exported.ok, JSON.stringify(exported)).toBe(true);
  version = unwrap(exported).dir!;
  expect(version).toBe(path.join(wsDir, 'exports', 'datasets', 'audit', 'v1'));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('no Sift write lands inside a dataset version', () => {
  it('query, label, report and dataset exports are all refused inside one — its files, new files, subfolders, through a link — and it is unchanged', async () => {
    const before = snapshot(version);
    const queried = await postCall(server, 'query.run', { queryId: 'q', sql: "SELECT 'forged' AS content_id" });
    expect(queried.ok).toBe(true);
    const result = unwrap(queried);
    const report = unwrap(await postCall(server, 'reports.save', { name: 'r', sql: 'SELECT 1' }));
    // A folder inside the version is made by hand (Sift would never make it), and a link to the version from outside.
    const exportsDir = path.join(wsDir, 'exports');
    fs.symlinkSync(version, path.join(exportsDir, 'innocent'));
    const targets = [
      path.join(version, 'train.parquet'),
      path.join(version, 'README.md'),
      path.join(version, 'manifest.json'),
      path.join(version, 'extra.csv'),
      path.join(version, 'new-folder', 'x.csv'),
      path.join(exportsDir, 'innocent', 'train.parquet'),
      path.join(exportsDir, 'innocent', 'added.json'),
    ];
    const attempts: [string, unknown][] = targets.flatMap((target) => [
      ['query.export', { resultId: result.resultId, format: 'parquet', path: target }],
      ['labels.export', { sessionId: session.id, format: 'ndjson', path: target }],
      ['reports.export', { id: report.id, format: 'sql', path: target }],
    ]);
    attempts.push(
      ['datasets.export', { name: 'audit', out: version, sessions: [session.id] }],
      ['datasets.export', { name: 'v1', out: path.dirname(version), sessions: [session.id] }],
      ['datasets.export', { name: 'x', out: path.join(exportsDir, 'innocent'), sessions: [session.id] }],
    );
    for (const [method, input] of attempts) {
      // A long operation's refusal may come from its job: the outcome is how the job ended.
      const outcome = isJobMethodName(method)
        ? await postJob(server, host, method, input as InputOf<typeof method>)
        : await postJson(server, method, input);
      expect(outcome, `${method} ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringContaining('is inside the dataset version') },
      });
      expect(snapshot(version), `${method} ${JSON.stringify(input)}`).toEqual(before);
    }
    // Beside the version, the same exports still work, and a new version of the dataset is still possible.
    expect(
      (
        await postCall(server, 'query.export', {
          resultId: result.resultId!,
          format: 'csv',
          path: path.join(exportsDir, 'beside.csv'),
        })
      ).ok,
    ).toBe(true);
    const second = await postJob(server, host, 'datasets.export', {
      name: 'audit',
      sessions: [session.id],
      cutDate: '2024-03-05T00:00:00Z',
      valDays: 2,
    });
    expect(second).toMatchObject({ ok: true, value: { version: 2 } });
    expect(snapshot(version)).toEqual(before);
    fs.rmSync(path.join(exportsDir, 'innocent'));
  });

  it('a workspace is not made inside one either', async () => {
    const made = await sift('init', '--workspace', path.join(version, 'nested-ws'));
    expect(made.code).not.toBe(0);
    expect(made.stderr).toContain('is inside the dataset version');
    expect(fs.existsSync(path.join(version, 'nested-ws'))).toBe(false);
  });
});

describe('publishing a version', () => {
  it('several exports of one name at once each stage apart and each claim their own version, whole and verified', async () => {
    const started = await Promise.all(
      [0, 1, 2, 3].map(() =>
        postCall(server, 'datasets.export', {
          name: 'twin',
          sessions: [session.id],
          cutDate: '2024-03-05T00:00:00Z',
          valDays: 2,
        }),
      ),
    );
    const jobs = await Promise.all(started.map((outcome) => host.jobs.wait(unwrap(outcome).jobId)));
    expect(jobs.map((job) => [job.status, job.error?.message])).toEqual(jobs.map(() => ['done', undefined]));
    const versions = jobs.map((job) => (job.result as DatasetManifest).version).sort();
    expect(versions).toEqual([1, 2, 3, 4]);
    const root = path.join(wsDir, 'exports', 'datasets', 'twin');
    expect(fs.readdirSync(root).sort()).toEqual(['v1', 'v2', 'v3', 'v4']); // no staging left, nothing else
    for (const job of jobs) {
      const manifest = job.result as DatasetManifest;
      expect(JSON.parse(fs.readFileSync(path.join(manifest.dir!, 'manifest.json'), 'utf8'))).toMatchObject({
        version: manifest.version,
        parentVersion: manifest.version - 1 || null,
      });
      const verified = await postCall(server, 'datasets.verify', { dir: manifest.dir! });
      expect(unwrap(verified), manifest.dir).toMatchObject({ ok: true, problems: [], scope: 'record' });
    }
  });
});

describe('sift dataset verify', () => {
  let copyRoot: string;
  beforeAll(async () => {
    await server.close();
    await host.close();
    copyRoot = tempDir('sift-immut-copies-');
  });

  /** A fresh copy of v1 in the same datasets folder (the workspace's record names v1's own folder and manifest). */
  const tampered = (name: string, change: (dir: string) => void): string => {
    const dir = path.join(path.dirname(version), name);
    fs.cpSync(version, dir, { recursive: true });
    change(dir);
    return dir;
  };

  it('passes an untouched version, checked against the workspace record', async () => {
    const ok = await sift('dataset', 'verify', version);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('the manifest and card are the ones Sift wrote');
    const json = JSON.parse((await sift('dataset', 'verify', version, '--json')).stdout) as DatasetVerification;
    expect(json).toMatchObject({ ok: true, problems: [], scope: 'record' });
  });

  it('fails on an added file, an added folder, an edited card, and manifest rows edited to match an edited file', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'added-file',
        (dir) => fs.writeFileSync(path.join(dir, 'notes.txt'), 'x'),
        /notes\.txt: a file the manifest does not list/,
      ],
      ['added-folder', (dir) => fs.mkdirSync(path.join(dir, 'more')), /more\/: a folder the manifest does not list/],
      [
        'added-link',
        (dir) => fs.symlinkSync('/etc/hostname', path.join(dir, 'host.txt')),
        /host\.txt: a link the manifest does not list/,
      ],
      [
        'edited-card',
        (dir) => fs.appendFileSync(path.join(dir, 'README.md'), '\nAll labels double-checked by legal.\n'),
        /README\.md: the dataset card differs from the one Sift wrote/,
      ],
      [
        'edited-manifest',
        (dir) => {
          // Rows edited in the data, and the manifest edited to match them: the files agree with the manifest, but
          // the manifest is not the one Sift wrote.
          const train = path.join(dir, 'train.parquet');
          fs.appendFileSync(train, 'forged');
          const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
          const entry = manifest.files.find((file) => file.path === 'train.parquet')!;
          entry.bytes = fs.statSync(train).size;
          entry.sha256 = crypto.createHash('sha256').update(fs.readFileSync(train)).digest('hex');
          fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
        },
        /manifest\.json: differs from the manifest Sift wrote/,
      ],
      [
        'escaping-path',
        (dir) => {
          const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
          manifest.files.push({
            path: '../../../../etc/hostname',
            split: 'train',
            format: 'parquet',
            rows: 0,
            bytes: 0,
            sha256: '',
          });
          fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
        },
        /names "\.\.\/.*which is not a file of this folder/,
      ],
    ];
    for (const [name, change, problem] of cases) {
      const dir = tampered(name, change);
      const outcome = await sift('dataset', 'verify', dir);
      expect(outcome.code, `${name}: ${outcome.stdout}`).toBe(1);
      expect(outcome.stderr, name).toMatch(problem);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('outside its workspace says plainly that only the files against the manifest could be checked', async () => {
    const copy = path.join(copyRoot, 'v1');
    fs.cpSync(version, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'README.md'), '\nedited\n'); // undetectable without the record
    const other = path.join(tempDir('sift-immut-other-'), 'ws');
    expect((await sift('init', '--workspace', other)).code).toBe(0);
    const outcome = await sift('dataset', 'verify', copy, '--workspace', other);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain('Only the files could be checked against the manifest');
    expect(outcome.stdout).toContain('has no record of this version');
    // With the workspace that wrote it, the copy's card is checked and found edited.
    const own = await sift('dataset', 'verify', copy, '--workspace', wsDir);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('README.md: the dataset card differs');
  });
});
