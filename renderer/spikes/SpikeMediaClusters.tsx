/** The drill's media clusters: one picture posted in many items ("the same image posted by 40 new accounts"). */
import type { SpikeDrill } from '../../shared/contract';
import { MediaThumbs } from '../media/MediaThumb';
import { when } from './spikeCharts';

export function SpikeMediaClusters({
  clusters,
  queryItems,
}: {
  clusters: SpikeDrill['mediaClusters'];
  queryItems: (ids: string[]) => void;
}) {
  return (
    <>
      <h4>Same picture, many posts</h4>
      {clusters.length === 0 && <p className="muted">No picture in three or more items.</p>}
      {clusters.map((cluster, index) => (
        <div key={index} className="cluster" data-testid="spike-media-cluster">
          <div className="cluster-head">
            <b>The same picture in {cluster.size} items</b> from {cluster.authors} account(s)
            {cluster.newAccounts > 0 ? `, ${cluster.newAccounts} created in the week before` : ''} ·{' '}
            {when(cluster.firstAt)} – {when(cluster.lastAt)}
            <button className="link" onClick={() => queryItems(cluster.contentIds)}>
              Query these items
            </button>
          </div>
          <MediaThumbs contentIds={cluster.contentIds.slice(0, 12)} />
        </div>
      ))}
    </>
  );
}
