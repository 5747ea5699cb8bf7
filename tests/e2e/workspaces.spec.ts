import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('creates an empty workspace for your own data, and goes back to the sample from the recent ones', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openWorkspaceSwitcher();
  // Browser mode creates workspaces only where its owner allowed: not in /tmp at large.
  await bench.newWorkspace('/tmp/sift-e2e-not-allowed');
  await expect(bench.workspaces.error()).toContainText('in browser mode a new workspace goes inside');
  // The page cannot choose another folder; the refusal says who can, and how.
  await expect(bench.workspaces.error()).toContainText('sift serve --folder /tmp');
  await expect(bench.workspaces.error()).toContainText('sift init --workspace /tmp/sift-e2e-not-allowed');
  await bench.newWorkspace(path.join(sift.home, 'workspaces', 'mine'));
  await expect(bench.workspaceName).toHaveText('mine');
  await expect(bench.table('label_events')).toBeVisible();
  await expect(bench.table('content')).toHaveCount(0);
  // Their own export, with a broken row: skip it into the rejects table, map the rest onto content.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-own-')), 'posts_export.csv');
  fs.writeFileSync(
    file,
    'post_id,author_id,body,posted_at\np1,u1,hello there,2024-05-01 10:00:00\np2,u2\np3,u1,buy followers now,2024-05-01 11:00:00\n',
  );
  await bench.importViaPicker(file);
  await expect(bench.importProblem).toContainText('line 3');
  await bench.importSkippingBadRows();
  await expect(bench.importRejects).toContainText('1 bad rows were set aside in posts_export__rejects');
  await bench.mapImportOnto('content');
  await expect(bench.table('posts_export__rejects')).toBeVisible();
  await bench.runQuery('SELECT content_id, user_id, text FROM content ORDER BY content_id');
  await expect(bench.cell(1, 2)).toHaveText('buy followers now');
  await bench.openRecentWorkspace('sample');
  await expect(bench.workspaceName).toHaveText('sample');
  await expect(bench.table('content')).toBeVisible();
});

/** A small moderation export of someone's own: posts (one ragged row), accounts, and reports with a spam burst. */
function ownExport(): { posts: string; users: string; reports: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-logs-'));
  const start = Date.UTC(2024, 4, 1);
  const hour = 3_600_000;
  const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const posts = ['post_id,author_id,body,posted_at,placement'];
  const reports = ['flag_id,post_id,flagger_id,flag_type,reported_at'];
  const users = ['user_id,handle,signup_at'];
  for (let u = 1; u <= 30; u++) users.push(`a${u},member${u},${stamp(start - ((u * 37) % 400) * 24 * hour)}`);
  let flag = 0;
  for (let i = 1; i <= 600; i++) {
    const at = start + Math.floor((i * 14 * 24 * hour) / 600);
    const burst = at >= Date.UTC(2024, 4, 12, 10) && at < Date.UTC(2024, 4, 12, 13);
    const text = burst
      ? `buy 10k followers at cheapfans.example/deal${i % 7} limited offer`
      : `thanks for the update on ticket ${i}, it works now`;
    posts.push(`p${i},a${(i % 30) + 1},"${text}",${stamp(at)},${i % 3 === 0 ? 'comment' : 'post'}`);
    if (i === 7) posts.push('p7b,a3'); // the ragged row
    if (burst)
      for (let k = 0; k < 4; k++)
        reports.push(`f${++flag},p${i},a${((i + k) % 30) + 1},spam,${stamp(at + (k + 1) * 60_000)}`);
    else if (i % 25 === 0)
      reports.push(`f${++flag},p${i},a${(i % 29) + 1},${i % 50 === 0 ? 'abuse' : 'spam'},${stamp(at + 600_000)}`);
  }
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  return {
    posts: write('posts_export.csv', posts),
    users: write('accounts.csv', users),
    reports: write('flags.csv', reports),
  };
}

test('your own logs, end to end: a new workspace, an import that keeps going, then Explore, Spikes and Models on them', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const files = ownExport();
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openWorkspaceSwitcher();
  await bench.newWorkspace(path.join(sift.home, 'workspaces', 'own-logs'));
  await expect(bench.workspaceName).toHaveText('own-logs');
  // Empty views say what to import.
  await bench.openView('spikes');
  await expect(bench.spikes.needs()).toContainText('this workspace has no reports or moderation_actions yet');
  await expect(bench.spikes.needs()).toContainText('report_id, content_id, reporter_id, reason, created_at');
  await bench.openView('explore');
  await expect(bench.workspaces.empty()).toContainText('This workspace has no data yet');

  await bench.importViaPicker(files.posts);
  await expect(bench.importProblem).toContainText('line 9');
  await bench.importSkippingBadRows();
  await expect(bench.importRejects).toContainText('1 bad rows were set aside in posts_export__rejects');
  await bench.mapImportOnto('content');
  await bench.runQuery('SELECT line, reason FROM posts_export__rejects');
  await expect(bench.cell(0, 0)).toHaveText('9');
  for (const [file, target] of [
    [files.users, 'users'],
    [files.reports, 'reports'],
  ] as const) {
    await bench.importViaPicker(file);
    await bench.startImport();
    await bench.mapImportOnto(target);
  }
  // Explore: the canonical names and Sift's feature view, as of each upload, over the user's own tables.
  await bench.runQuery(
    "SELECT count(*) AS posts, count(*) FILTER (WHERE surface = 'comment') AS comments, max(posting_rate) AS busiest FROM content JOIN content_features USING (content_id)",
  );
  await expect(bench.cell(0, 0)).toHaveText('600');
  await expect(bench.cell(0, 1)).toHaveText('200');

  // Spikes: the burst of spam reports is a marked window, and no model version marker appears.
  await bench.openView('spikes');
  await expect(bench.spikes.timeline()).toHaveAttribute('data-rendered', 'true');
  const firstWindow = bench.spikes.windows().first();
  await expect(firstWindow).toContainText('spam');
  await expect(firstWindow).toContainText('2024-05-12');
  await firstWindow.click();
  await expect(bench.spikes.cluster().first()).toContainText('cheapfans.example');

  // Models: score the own content with the text model and the fusion model (account features from content_features).
  const { models } = bench;
  await models.open();
  for (const model of ['text-distil', 'text-fusion']) await models.score({ model });
  await models.tryModel.selectOption('text-fusion');
  await models.tryOn({
    user: 'a3',
    at: '2024-05-12T12:00:00',
    text: 'buy 10k followers at cheapfans.example/deal1 limited offer',
  });
  await expect(models.tryAccount).toContainText('as of upload: account_age_days');
  await page.screenshot({ path: 'test-results/own-logs-models.png', fullPage: true });
  // A re-score is not a deployment: the timeline gains no version marker.
  await bench.openView('spikes');
  await expect(bench.spikes.timeline()).toHaveAttribute('data-rendered', 'true');
  await expect(bench.spikes.versionMarkers()).toHaveCount(0);
  await page.screenshot({ path: 'test-results/own-logs-spikes.png', fullPage: true });
});
