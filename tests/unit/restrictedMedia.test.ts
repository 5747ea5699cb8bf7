/**
 * Restricted media (issue 26, item 8): the rule read from the taxonomy's severities, the owner's approval (refused to
 * an annotator's token), media.get's shielded answer without it, the audit log of reveals, the retention purge that
 * keeps hashes and labels, and the dataset versions holding restricted bytes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { restrictedNow, restrictedServing } from '../../electron/host/media/restrictedAccess';
import { purgeDue } from '../../electron/host/media/restrictedPurge';
import { cacheDir, originalPath, writeMediaHashes, writeMediaRows } from '../../electron/host/media/mediaStore';
import type { HostServices } from '../../electron/host/services';
import type { Caller } from '../../shared/callerAccess';
import type { DatasetManifest } from '../../shared/contract';
import {
  criticalMarks,
  isRestrictingLabel,
  restrictedItemsSql,
  restrictedReexport,
} from '../../shared/restrictedMedia';
import { TAXONOMY_V1, taxonomySchema } from '../../shared/taxonomy';
import { makeLabelingWorkspace, sessionCalls } from './labelingFixture';
import { call, outcomeOf, runJob, tempDir } from './support';

const ANA: Caller = { role: 'annotator', annotator: 'ana' };
const DAY_MS = 86_400_000;

/**
 * Registers one small PNG per colour for these items, as registration leaves it: the original under
 * .sift/media/originals, a derivative in its cache folder, the media_files row and a perceptual hash.
 */
async function registerTestMedia(host: Host, colours: Record<string, 'red' | 'blue' | 'green'>) {
  const rgb = { red: [255, 0, 0], blue: [0, 0, 255], green: [0, 255, 0] };
  const shas: Record<string, string> = {};
  for (const colour of new Set(Object.values(colours))) {
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: rgb[colour] } })
      .png()
      .toBuffer();
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    shas[colour] = sha;
    fs.mkdirSync(path.dirname(originalPath(host.workspace.dir, sha, 'png')), { recursive: true });
    fs.writeFileSync(originalPath(host.workspace.dir, sha, 'png'), bytes);
    fs.mkdirSync(cacheDir(host.workspace.dir, sha), { recursive: true });
    fs.writeFileSync(path.join(cacheDir(host.workspace.dir, sha), 'thumb.jpg'), bytes);
    await writeMediaHashes(host.workspace, sha, [{ frame: 0, phash: '0123456789abcdef' }]);
  }
  const rows = Object.entries(colours).map(([contentId, colour]) => ({
    contentId,
    position: 0,
    sha256: shas[colour]!,
    kind: 'image' as const,
    format: 'png' as const,
    width: 8,
    height: 8,
    frames: 0,
    durationS: null,
    bytes: 1,
    status: 'ok' as const,
    error: null,
    sourcePath: `${colour}.png`,
  }));
  await host.workspace.withStore((conn) => writeMediaRows(conn, Object.keys(colours), rows));
  return {
    sha: (colour: 'red' | 'blue' | 'green') => shas[colour]!,
    original: (colour: 'red' | 'blue' | 'green') => originalPath(host.workspace.dir, shas[colour]!, 'png'),
    cache: (colour: 'red' | 'blue' | 'green') => cacheDir(host.workspace.dir, shas[colour]!),
  };
}

describe('the restricted rule', () => {
  it('reads critical severity from the taxonomy, not a leaf name', () => {
    expect(criticalMarks([TAXONOMY_V1])).toEqual([{ policyVersion: 'v1', category: 'nsfw', leaf: 'csam' }]);
    const v2 = taxonomySchema.parse({
      ...TAXONOMY_V1,
      version: 'v2',
      categories: [
        ...TAXONOMY_V1.categories.filter((c) => c.name !== 'misinformation'),
        { name: 'terror', title: 'Terror', severity: 'critical', leaves: [] },
      ],
    });
    expect(criticalMarks([v2])).toEqual([
      { policyVersion: 'v2', category: 'nsfw', leaf: 'csam' },
      { policyVersion: 'v2', category: 'terror', leaf: null },
    ]);
    const marks = criticalMarks([TAXONOMY_V1, v2]);
    const label = { category: 'nsfw', value: '1', leaf: 'csam', policyVersion: 'v1' };
    expect(isRestrictingLabel(label, marks)).toBe(true);
    expect(isRestrictingLabel({ ...label, value: '0' }, marks)).toBe(false);
    expect(isRestrictingLabel({ ...label, leaf: 'ncii' }, marks)).toBe(false);
    expect(isRestrictingLabel({ category: 'terror', value: '1', leaf: null, policyVersion: 'v1' }, marks)).toBe(false);
    expect(isRestrictingLabel({ category: 'terror', value: '1', leaf: null, policyVersion: null }, marks)).toBe(true);
    expect(restrictedItemsSql('current_labels', [])).toContain('WHERE false');
  });
});

describe('restricted media in a workspace', () => {
  let host: Host;
  let services: HostServices;
  let sessionId: string;
  let media: Awaited<ReturnType<typeof registerTestMedia>>;
  const calls = sessionCalls(() => host);

  beforeAll(async () => {
    host = await makeLabelingWorkspace(path.join(tempDir(), 'ws'));
    services = (host as unknown as { services: HostServices }).services;
    media = await registerTestMedia(host, { c01: 'red', c02: 'red', c03: 'blue', c04: 'green' }); // c02 reposts c01's image
    sessionId = (await calls.createSession()).id;
    await calls.record(sessionId, {
      kind: 'label',
      contentId: 'c01',
      labels: [{ category: 'nsfw', value: 1, leaf: 'csam' }],
    });
    await calls.record(sessionId, {
      kind: 'label',
      contentId: 'c03',
      labels: [{ category: 'nsfw', value: 1, leaf: 'ncii' }],
    });
  }, 120_000);
  afterAll(async () => host.close());

  it('restricts the labeled item and every item carrying the same bytes', async () => {
    const standing = await call(host, 'restricted.standing', { contentIds: ['c01', 'c02', 'c03', 'c04'] });
    expect(standing.map((s) => [s.contentId, s.restricted])).toEqual([
      ['c01', true],
      ['c02', true],
      ['c03', false],
      ['c04', false],
    ]);
    const shields = await call(host, 'media.forItems', { contentIds: ['c01', 'c02', 'c03'] });
    expect(shields.map((item) => item.shield.restricted)).toEqual([true, true, false]);
  });

  it("serves only the shielded rendition until the owner approves, refuses the approval to an annotator's token, and logs each reveal", async () => {
    const request = { contentId: 'c01', position: 0, rendition: 'display' };
    expect(await restrictedServing(services, ANA, request)).toBe('shielded');
    expect(await restrictedServing(services, ANA, { ...request, contentId: 'c03' })).toBe('clear');

    const byAnnotator = await outcomeOf(host, 'restricted.approve', { contentId: 'c01', reviewer: 'ana' }, ANA);
    expect(byAnnotator).toMatchObject({ ok: false, error: { message: expect.stringContaining('restricted.approve') } });
    const asked = await outcomeOf(host, 'restricted.request', { contentId: 'c01', reason: 'to label it' }, ANA);
    expect(asked).toMatchObject({ ok: true, value: { reviewer: 'ana', state: 'requested', reason: 'to label it' } });
    expect(await call(host, 'restricted.approvals', {})).toMatchObject([{ contentId: 'c01', state: 'requested' }]);
    expect(await restrictedServing(services, ANA, request)).toBe('shielded');
    expect(await call(host, 'restricted.audit', {})).toEqual([]);

    await call(host, 'restricted.approve', { contentId: 'c01', reviewer: 'ana' });
    const at = new Date('2026-12-03T12:00:00Z');
    expect(await restrictedServing(services, ANA, request, at)).toBe('clear');
    // The approval is for that item and that reviewer: not for the repost, not for bo, not for the owner.
    expect(await restrictedServing(services, ANA, { ...request, contentId: 'c02' })).toBe('shielded');
    expect(await restrictedServing(services, { role: 'annotator', annotator: 'bo' }, request)).toBe('shielded');
    expect(await restrictedServing(services, { role: 'owner' }, request)).toBe('shielded');
    expect(await call(host, 'restricted.audit', {})).toEqual([
      { at: '2026-12-03T12:00:00.000Z', reviewer: 'ana', contentId: 'c01', position: 0, rendition: 'display' },
    ]);
    expect(await outcomeOf(host, 'restricted.audit', {}, ANA)).toMatchObject({ ok: false });
    expect(await outcomeOf(host, 'restricted.standing', { contentIds: ['c01'] }, ANA)).toMatchObject({
      ok: true,
      value: [{ contentId: 'c01', restricted: true, approval: 'approved' }],
    });

    expect(await call(host, 'restricted.revoke', { contentId: 'c01', reviewer: 'ana' })).toEqual({ revoked: true });
    expect(await restrictedServing(services, ANA, request)).toBe('shielded');
  });

  it('purges the bytes after the retention, keeping hashes, labels and the registry rows', async () => {
    const restricted = () => restrictedNow(services);
    await (await host.labeling()).syncStore(); // so the store's labels are looked at below
    expect(await purgeDue(host.workspace, await restricted(), new Date(Date.now() + 400 * DAY_MS))).toEqual({
      purged: [],
      kept: 1,
    });
    await call(host, 'restricted.retention.set', { days: 30 });
    expect(await call(host, 'restricted.retention.get', {})).toEqual({ days: 30 });
    expect(await purgeDue(host.workspace, await restricted(), new Date(Date.now() + 29 * DAY_MS))).toEqual({
      purged: [],
      kept: 1,
    });
    expect(fs.existsSync(media.original('red'))).toBe(true);

    const purged = await purgeDue(host.workspace, await restricted(), new Date(Date.now() + 31 * DAY_MS));
    expect(purged).toEqual({ purged: [{ sha256: media.sha('red'), contentIds: ['c01', 'c02'] }], kept: 0 });
    expect(fs.existsSync(media.original('red'))).toBe(false);
    expect(fs.existsSync(media.cache('red'))).toBe(false);
    expect(fs.existsSync(media.original('blue'))).toBe(true);
    const kept = await host.workspace.withStore(
      async (conn) =>
        (
          await conn.runAndReadAll(
            `SELECT (SELECT list(status ORDER BY content_id) FROM media_files WHERE sha256 = $sha),
                  (SELECT count(*) FROM media_hashes WHERE sha256 = $sha),
                  (SELECT count(*) FROM label_events WHERE content_id = 'c01' AND leaf = 'csam')`,
            { sha: media.sha('red') },
          )
        ).getRowsJson()[0],
    );
    expect(kept).toEqual([['purged', 'purged'], '1', '1']);
    expect(await restrictedServing(services, ANA, { contentId: 'c01', position: 0, rendition: 'thumb' })).toBe(
      'purged',
    );
    expect(await call(host, 'restricted.standing', { contentIds: ['c02'] })).toMatchObject([{ purged: true }]);
  });

  it('lists restricted files with their items and purge date, and makes the re-export input of a version holding them', async () => {
    expect(await call(host, 'restricted.files', {})).toEqual([
      {
        sha256: media.sha('red'),
        contentIds: ['c01', 'c02'],
        status: 'purged',
        restrictedSince: expect.any(String),
        purgeDueAt: null,
      },
    ]);
    const manifest = {
      name: 'pics',
      version: 1,
      sessions: [{ id: sessionId }],
      splits: { method: 'time', cut: '2024-03-01T00:00:00.000Z', validationEnd: '2024-03-08T00:00:00.000Z' },
      policyVersion: 'v1',
      notCarriedOver: { count: 2, contentIds: ['c09', 'c10'] },
      files: [{ path: 'train.jsonl', split: 'train', format: 'jsonl', rows: 1, bytes: 1, sha256: 'ab' }],
    } as unknown as DatasetManifest;
    expect(restrictedReexport(manifest, '/data/sets/pics/v1')).toEqual({
      name: 'pics',
      out: '/data/sets',
      sessions: [sessionId],
      cutDate: '2024-03-01T00:00:00.000Z',
      valDays: 7,
      formats: ['jsonl'],
      policyVersion: 'v1',
      leaveOutOtherPolicies: true,
    });
  });

  it('a version holding bytes a later label restricts is listed, and replaced by a new version without them', async () => {
    const out = tempDir('sift-restricted-datasets-');
    const v1 = await runJob(host, 'datasets.export', { name: 'pics', out, sessions: [sessionId] });
    const carried = (manifest: DatasetManifest) => manifest.media!.files.map((file) => file.sha256);
    expect(carried(v1)).toEqual([media.sha('blue')]); // c01's bytes (restricted) never leave the workspace
    expect(v1.media!.withheld.restricted).toBe(1);

    // A later label makes c03 restricted: v1 holds its bytes.
    await calls.record(sessionId, {
      kind: 'label',
      contentId: 'c03',
      labels: [{ category: 'nsfw', value: 1, leaf: 'csam' }],
    });
    const restricted = (await call(host, 'restricted.files', {})).map((file) => file.sha256);
    expect(restricted).toContain(media.sha('blue'));
    const holding = await call(host, 'datasets.holdingMedia', { sha256s: restricted });
    expect(holding.map((version) => [version.dir, version.sha256s])).toEqual([[v1.dir, [media.sha('blue')]]]);

    // The offer: a new version from the old one's export input (it holds no restricted bytes), and the old deleted.
    const input = await call(host, 'restricted.reexportInput', { dir: v1.dir! });
    expect(input).toEqual(restrictedReexport(v1, v1.dir!));
    const v2 = await runJob(host, 'datasets.export', input);
    expect([v2.name, v2.version, v2.parentVersion]).toEqual(['pics', 2, 1]);
    expect(carried(v2)).toEqual([]);
    expect(v2.media!.withheld.restricted).toBe(2);
    expect(fs.existsSync(path.join(v1.dir!, 'manifest.json'))).toBe(true); // never rewritten
    expect(await call(host, 'datasets.delete', { dir: v1.dir! })).toMatchObject({ deleted: true });
    expect(await call(host, 'datasets.holdingMedia', { sha256s: restricted })).toEqual([]);
  }, 60_000);

  it('restricts at once on a label the store does not hold yet, and lifts it when the label is undone', async () => {
    const csam = [{ category: 'nsfw', value: 1 as const, leaf: 'csam' }];
    await calls.record(sessionId, { kind: 'label', contentId: 'c04', labels: csam });
    expect(await call(host, 'restricted.standing', { contentIds: ['c04'] })).toMatchObject([{ restricted: true }]);
    await calls.record(sessionId, { kind: 'undo' });
    // Until the store holds the undo (it follows the journal within seconds) the item stays restricted: fail closed.
    await (await host.labeling()).syncStore();
    expect(await call(host, 'restricted.standing', { contentIds: ['c04'] })).toMatchObject([{ restricted: false }]);
  });
});
