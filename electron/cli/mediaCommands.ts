/**
 * `sift media prepare`: the derivatives and hashes of the registered media (the media.prepare job); `sift media clusters`: the workspace's near-duplicate media (the media clusters part of the contract); `sift media
 * audit` and `sift media purge`: restricted media's reveal log and retention (the restricted part).
 */
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, runJob, withHost } from './hostCalls.js';

export async function commandMedia(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'prepare':
      return mediaPrepare(rest);
    case 'clusters':
      return mediaClusters(rest);
    case 'audit':
      return mediaAudit(rest);
    case 'purge':
      return mediaPurge(rest);
    default:
      throw new UsageError(`media: expected prepare, clusters, audit or purge${sub ? ` (got "${sub}")` : ''}.`);
  }
}

async function mediaPrepare(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['media prepare'], args);
  return withHost(values.workspace, async (host) => {
    const items = values.item ?? [];
    const result = await runJob(host, 'media.prepare', items.length > 0 ? { contentIds: items } : {}, 'media prepare');
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    console.log(
      `${result.files} media files: ${result.prepared} prepared now, ${result.cached} already prepared, ${result.failed} failed.`,
    );
    for (const error of result.errors) console.log(`  ${error}`);
    return 0;
  });
}

async function mediaClusters(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['media clusters'], args);
  return withHost(values.workspace, async (host) => {
    const clusters = await call(host, 'media.clusters', {});
    if (values.json) {
      console.log(JSON.stringify(clusters.map(({ cluster, contentIds }) => ({ cluster, content_ids: contentIds }))));
      return 0;
    }
    if (clusters.length === 0) {
      console.log('No near-duplicate media: no two items share a picture (or no media has been prepared yet).');
      return 0;
    }
    const items = clusters.reduce((sum, cluster) => sum + cluster.contentIds.length, 0);
    console.log(`${clusters.length} media clusters, ${items} items:`);
    for (const { cluster, contentIds } of clusters) {
      const shown = contentIds.slice(0, 20).join(', ');
      const more = contentIds.length > 20 ? ` … and ${contentIds.length - 20} more` : '';
      console.log(`  cluster ${cluster} (${contentIds.length} items): ${shown}${more}`);
    }
    return 0;
  });
}

async function mediaAudit(args: string[]): Promise<number> {
  const spec = COMMANDS['media audit'];
  const { values } = parseCommand(spec, args);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new UsageError('media audit: --limit is a whole number from 1 to 100000.', spec);
  return withHost(values.workspace, async (host) => {
    const reveals = await call(host, 'restricted.audit', { limit });
    if (values.json) {
      console.log(
        JSON.stringify(
          reveals.map(({ at, reviewer, contentId, position, rendition }) => ({
            at,
            reviewer,
            content_id: contentId,
            position,
            rendition,
          })),
        ),
      );
      return 0;
    }
    if (reveals.length === 0) {
      console.log('No restricted media has been revealed.');
      return 0;
    }
    console.log(`${reveals.length} reveal(s) of restricted media, latest first:`);
    for (const { at, reviewer, contentId, position, rendition } of reveals)
      console.log(`  ${at}  ${reviewer}  ${contentId} (file ${position + 1}, ${rendition})`);
    return 0;
  });
}

async function mediaPurge(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['media purge'], args);
  return withHost(values.workspace, async (host) => {
    const outcome = await call(host, 'restricted.purge', {});
    if (values.json) console.log(JSON.stringify(outcome));
    else
      console.log(
        `Purged the bytes of ${outcome.purged.length} restricted file(s); ${outcome.kept} restricted file(s) kept (not yet due, or no retention set).`,
      );
    return 0;
  });
}
