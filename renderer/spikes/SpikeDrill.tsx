/** What is behind a marked window: near-duplicate clusters (text and media), the terms that rose, the accounts most reported and reporting. */
import { TermTable } from '../components/TermTable';
import { useExplore } from '../explore/exploreStore';
import { MediaThumbs } from '../media/MediaThumb';
import { useNavigation } from '../navigation';
import { when } from './spikeCharts';
import { SpikeMediaClusters } from './SpikeMediaClusters';
import { useSpikes } from './spikesStore';

export function SpikeDrill() {
  const { controls, selected, drill, drilling } = useSpikes();
  const go = useNavigation((state) => state.go);
  const queryItems = (ids: string[]) => {
    useExplore
      .getState()
      .newTab(
        `SELECT content_id, user_id, created_at, text\nFROM content\nWHERE content_id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})\nORDER BY created_at;`,
        'Spike items',
      );
    go('explore');
    void useExplore.getState().run({ mode: 'all' });
  };
  return (
    <>
      {!selected && <p className="muted">Pick a marked window to see what is behind it.</p>}
      {drilling && <p>Looking inside the window…</p>}
      {selected && drill && (
        <>
          <h3>
            {selected.series}, {when(selected.start)} – {when(selected.end)}: {drill.items} items ({drill.baselineItems}{' '}
            in the week before)
          </h3>
          <div className="drill-grid">
            <div>
              <h4>Near-duplicate clusters</h4>
              {drill.clusters.length === 0 && <p className="muted">None of three or more.</p>}
              {drill.clusters.map((cluster, index) => (
                <div key={index} className="cluster" data-testid="spike-cluster">
                  <div className="cluster-head">
                    <b>{cluster.size} items</b> from {cluster.authors} account(s)
                    {cluster.newAccounts > 0 ? `, ${cluster.newAccounts} created in the week before` : ''} ·{' '}
                    {when(cluster.firstAt)} – {when(cluster.lastAt)}
                    <button className="link" onClick={() => queryItems(cluster.contentIds)}>
                      Query these items
                    </button>
                  </div>
                  <MediaThumbs contentIds={cluster.contentIds.slice(0, 50)} />
                  {cluster.samples.map((sample) => (
                    <div key={sample} className="cluster-sample">
                      {sample}
                    </div>
                  ))}
                </div>
              ))}
              <SpikeMediaClusters clusters={drill.mediaClusters} queryItems={queryItems} />
            </div>
            <div>
              <h4>Top terms against the week before</h4>
              <TermTable
                terms={drill.terms.map((t) => ({
                  term: t.term,
                  focus: t.focusCount,
                  baseline: t.baselineCount,
                  z: t.z,
                }))}
                focus="window"
                baseline="before"
                testId="spike-terms"
              />
            </div>
            <div>
              <h4>{controls.source === 'reports' ? 'Most reported accounts' : 'Accounts most acted on'}</h4>
              <table>
                <tbody>
                  {drill.targets.map((target) => (
                    <tr key={target.userId}>
                      <td>{target.userId}</td>
                      <td className="num">{target.reports}</td>
                      <td className="muted">
                        {target.accountCreatedAt ? `joined ${when(target.accountCreatedAt)}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h4>Top {controls.source === 'reports' ? 'reporters' : 'actors'}</h4>
              <table>
                <tbody>
                  {drill.reporters.map((reporter) => (
                    <tr key={reporter.reporterId}>
                      <td>{reporter.reporterId}</td>
                      <td className="num">{reporter.reports}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </>
  );
}
