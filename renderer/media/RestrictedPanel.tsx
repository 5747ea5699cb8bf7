/**
 * The lead's (owner's) restricted media panel (docs/media.md): reviewers' requests to reveal an item and the
 * approve / revoke actions, the audit log of every reveal, the retention setting that purges the bytes, and the
 * dataset versions holding restricted bytes — with a new version without them and the old one's deletion offered.
 */
import { useCallback, useEffect, useState } from 'react';
import type { RestrictedApproval, RestrictedMediaFile, RevealRecord, VersionHoldingMedia } from '../../shared/contract';
import { MAX_RETENTION_DAYS } from '../../shared/restrictedMedia';
import { api, errorMessage } from '../api/client';
import { runJob } from '../jobs/jobsStore';

interface Loaded {
  approvals: RestrictedApproval[];
  audit: RevealRecord[];
  files: RestrictedMediaFile[];
  versions: VersionHoldingMedia[];
  days: number | null;
}

async function load(): Promise<Loaded> {
  const [approvals, audit, files, retention] = await Promise.all([
    api['restricted.approvals']({}),
    api['restricted.audit']({ limit: 50 }),
    api['restricted.files']({}),
    api['restricted.retention.get']({}),
  ]);
  const sha256s = files.map((file) => file.sha256);
  const versions = sha256s.length > 0 ? await api['datasets.holdingMedia']({ sha256s }) : [];
  return { approvals, audit, files, versions, days: retention.days };
}

export function RestrictedPanel() {
  const [data, setData] = useState<Loaded | null>(null);
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);
  const [days, setDays] = useState('');
  const refresh = useCallback(async () => {
    try {
      const loaded = await load();
      setData(loaded);
      setDays(loaded.days === null ? '' : String(loaded.days));
    } catch (err) {
      setNotice({ error: true, text: errorMessage(err) });
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);
  const act = async (work: () => Promise<string>) => {
    try {
      setNotice({ error: false, text: await work() });
    } catch (err) {
      setNotice({ error: true, text: errorMessage(err) });
    }
    await refresh();
  };
  const saveRetention = () =>
    act(async () => {
      const value = days.trim() === '' ? null : Number(days);
      if (value !== null && (!Number.isInteger(value) || value < 1 || value > MAX_RETENTION_DAYS))
        throw new Error(
          `Retention: a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or empty to keep the bytes.`,
        );
      const saved = await api['restricted.retention.set']({ days: value });
      return saved.days === null
        ? 'Restricted bytes are kept.'
        : `Restricted bytes are purged after ${saved.days} days.`;
    });
  const newVersion = (version: VersionHoldingMedia) =>
    act(async () => {
      const input = await api['restricted.reexportInput']({ dir: version.dir });
      const written = await runJob('datasets.export', input);
      return `Wrote ${written.name} v${written.version} without the restricted bytes${written.dir ? ` (${written.dir})` : ''}; v${version.version} is unchanged.`;
    });
  const deleteVersion = (version: VersionHoldingMedia) =>
    act(async () => {
      if (!window.confirm(`Delete ${version.name} v${version.version} (${version.dir}) whole?`))
        return 'Nothing deleted.';
      const { deleted } = await api['datasets.delete']({ dir: version.dir });
      return deleted ? `Deleted ${version.name} v${version.version}.` : `${version.dir} was already deleted.`;
    });
  const pending = data?.approvals.filter((approval) => approval.state === 'requested') ?? [];
  const approved = data?.approvals.filter((approval) => approval.state === 'approved') ?? [];
  return (
    <section className="card" data-testid="restricted-panel">
      <h3>
        Restricted media{' '}
        <button onClick={() => void refresh()} data-testid="restricted-refresh">
          Refresh
        </button>
      </h3>
      <p className="muted">
        Media of items labeled in a critical-severity leaf (csam) reach a screen only blurred and grey until you approve
        a reveal of that item for that reviewer; every reveal is recorded.
      </p>
      {notice && <div className={notice.error ? 'error-text' : 'muted'}>{notice.text}</div>}
      <h4>Requests</h4>
      {pending.length === 0 ? (
        <p className="muted">No reviewer is waiting for an approval.</p>
      ) : (
        <ul data-testid="restricted-requests">
          {pending.map((request) => (
            <li key={`${request.contentId}-${request.reviewer}`}>
              {request.reviewer} asks to reveal {request.contentId}
              {request.reason ? ` (${request.reason})` : ''}{' '}
              <button
                data-testid={`restricted-approve-${request.contentId}-${request.reviewer}`}
                onClick={() =>
                  void act(async () => {
                    await api['restricted.approve']({ contentId: request.contentId, reviewer: request.reviewer });
                    return `Approved ${request.contentId} for ${request.reviewer}.`;
                  })
                }
              >
                Approve
              </button>
            </li>
          ))}
        </ul>
      )}
      {approved.length > 0 && (
        <ul data-testid="restricted-approved">
          {approved.map((approval) => (
            <li key={`${approval.contentId}-${approval.reviewer}`}>
              {approval.contentId} approved for {approval.reviewer}{' '}
              <button
                onClick={() =>
                  void act(async () => {
                    await api['restricted.revoke']({ contentId: approval.contentId, reviewer: approval.reviewer });
                    return `Revoked ${approval.contentId} for ${approval.reviewer}.`;
                  })
                }
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <h4>Audit log (latest 50 reveals)</h4>
      {data && data.audit.length === 0 && <p className="muted">No restricted media has been revealed.</p>}
      {data && data.audit.length > 0 && (
        <table className="label-session-list" data-testid="restricted-audit">
          <thead>
            <tr>
              <th>when (UTC)</th>
              <th>reviewer</th>
              <th>item</th>
              <th>file</th>
              <th>rendition</th>
            </tr>
          </thead>
          <tbody>
            {data.audit.map((reveal, i) => (
              <tr key={i}>
                <td>{reveal.at}</td>
                <td>{reveal.reviewer}</td>
                <td>{reveal.contentId}</td>
                <td>{reveal.position + 1}</td>
                <td>{reveal.rendition}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Retention</h4>
      <label>
        Purge restricted bytes after{' '}
        <input
          type="number"
          min={1}
          max={MAX_RETENTION_DAYS}
          value={days}
          placeholder="never"
          onChange={(event) => setDays(event.target.value)}
          data-testid="restricted-retention"
        />{' '}
        days
      </label>{' '}
      <button onClick={() => void saveRetention()} data-testid="restricted-retention-save">
        Save
      </button>
      <p className="muted">
        {data?.files.length ?? 0} restricted file(s); hashes, embeddings and labels are kept when the bytes go.
      </p>
      <h4>Dataset versions holding restricted bytes</h4>
      {data && data.versions.length === 0 && <p className="muted">None.</p>}
      {data && data.versions.length > 0 && (
        <ul data-testid="restricted-versions">
          {data.versions.map((version) => (
            <li key={version.dir}>
              {version.name} v{version.version} holds {version.sha256s.length} restricted file(s){' '}
              <button onClick={() => void newVersion(version)}>New version without them</button>{' '}
              <button onClick={() => void deleteVersion(version)}>Delete v{version.version}</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
