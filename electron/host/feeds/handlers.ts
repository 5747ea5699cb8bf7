/** The feeds part of the contract (shared/contract/feeds.ts): `sift watch add/remove/list` and the app's feeds. */
import fs from 'node:fs';
import path from 'node:path';
import { PROTECTED_TABLES } from '../../../shared/canonical.js';
import type { FeedInfo } from '../../../shared/contract.js';
import type { feedMethods } from '../../../shared/contract/feeds.js';
import { DEFAULT_SETTLE_MS, defaultPattern } from '../../../shared/feedRules.js';
import { SiftError } from '../../../shared/errors.js';
import type { Handlers, HostServices } from '../services.js';
import { SIFT_DIR } from '../workspace/workspace.js';
import { deleteFeed, feedInfos, saveFeed } from './feedStore.js';

export function feedHandlers(host: HostServices): Handlers<keyof typeof feedMethods> {
  const infoOf = async (dir: string): Promise<FeedInfo> =>
    (await feedInfos(host.workspace)).find((f) => f.dir === dir)!;
  return {
    'watch.add': async ({ dir, table, pattern, format, settleMs }) => {
      const folder = checkLandingFolder(host, dir);
      if ((PROTECTED_TABLES as readonly string[]).includes(table.toLowerCase()))
        throw new SiftError({ code: 'BAD_REQUEST', message: `table: "${table}" is Sift's own table; feed another.` });
      const feeding = (await feedInfos(host.workspace)).find((f) => f.dir === folder);
      if (feeding && feeding.table !== table)
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `dir: ${folder} already feeds table "${feeding.table}"; remove that feed first (sift watch remove) to feed "${table}".`,
          file: folder,
        });
      await saveFeed(host.workspace, {
        dir: folder,
        table,
        pattern: pattern ?? defaultPattern(format),
        format: format ?? null,
        settleMs: settleMs ?? DEFAULT_SETTLE_MS,
      });
      return infoOf(folder);
    },
    'watch.remove': async ({ dir }) => {
      const folder = path.resolve(dir);
      const feed = (await feedInfos(host.workspace)).find((f) => f.dir === folder);
      if (feed) await deleteFeed(host.workspace, folder);
      return { removed: feed ?? null };
    },
    'watch.list': () => feedInfos(host.workspace),
  };
}

/**
 * A landing folder: one SQL may read (confined: the workspace or a named folder), never Sift's own folder, and not
 * one that holds the workspace (its files are listed entry by entry for SQL, so a file dropped there would not be
 * readable until the workspace opens again; and the workspace's own files would be candidates).
 */
function checkLandingFolder(host: HostServices, dir: string): string {
  const folder = host.workspace.checkReadable(dir, 'dir', 'folder');
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `dir: ${folder} is not a folder (or does not exist).`,
      file: folder,
    });
  // Compared as the file system resolves them: a link to the workspace holds it as much as its own path does.
  const real = fs.realpathSync(folder);
  const workspace = fs.realpathSync(host.workspace.dir);
  const inside = (child: string, parent: string) =>
    child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  if (inside(real, path.join(workspace, SIFT_DIR)) || host.workspace.isOwnFile(folder))
    throw new SiftError({ code: 'BAD_REQUEST', message: `dir: ${folder} is Sift's own folder.`, file: folder });
  if (inside(workspace, real))
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `dir: ${folder} holds the workspace; watch a folder of its own (such as ${path.join(host.workspace.dir, 'landing')}).`,
      file: folder,
    });
  return folder;
}
