/** `sift media clusters`: the workspace's near-duplicate media (the media clusters part of the contract). */
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, withHost } from './hostCalls.js';

export async function commandMedia(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'clusters':
      return mediaClusters(rest);
    default:
      throw new UsageError(`media: expected clusters${sub ? ` (got "${sub}")` : ''}.`);
  }
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
