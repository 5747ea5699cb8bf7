/** Label: the annotator's name, the sessions of this workspace, a new session, and the labeling screen. */
import { useEffect, useState } from 'react';
import {
  type AnnotatorToken,
  annotatorName,
  type ModelInfo,
  type SessionSummary,
  type Strategy,
} from '../../shared/contract';
import { DEFAULT_IDLE_MINUTES, STRATEGIES, STRATEGY_TITLES } from '../../shared/labeling';
import { api, errorMessage, isDesktop } from '../api/client';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { runJob } from '../jobs/jobsStore';
import { LabelingScreen } from './LabelingScreen';
import { SessionReview } from './SessionReview';
import { useRole } from '../roleStore';
import { useLabeling } from './labelStore';
import { ExposurePanel } from '../media/ExposurePanel';
import { RestrictedPanel } from '../media/RestrictedPanel';

function NewSession({ onCreated }: { onCreated(session: SessionSummary, start: boolean): void }) {
  // A lead setting up a session for the team need not take the first batch (it would hold those items).
  const [start, setStart] = useState(true);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [versions, setVersions] = useState<{ model: string; version: string; items: number }[]>([]);
  const [name, setName] = useState('');
  const [pool, setPool] = useState('SELECT content_id FROM content');
  const [model, setModel] = useState('text-distil');
  const [version, setVersion] = useState('');
  const [strategy, setStrategy] = useState<Strategy>('entropy');
  const [batchSize, setBatchSize] = useState(20);
  const [overlap, setOverlap] = useState(1);
  const [idleMinutes, setIdleMinutes] = useState(DEFAULT_IDLE_MINUTES);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api['models.list']({}).then((list) => setModels(list.filter((m) => !m.error)));
    void api['models.versions']({})
      .then(setVersions)
      .catch(() => setVersions([]));
  }, []);
  const current = models.find((m) => m.name === model);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const annotator = useLabeling.getState().annotator;
      const session = await runJob('sessions.create', {
        name: name.trim() || `${STRATEGY_TITLES[strategy]} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
        pool,
        model,
        ...(version ? { version } : {}),
        strategy,
        batchSize,
        overlap,
        idleMinutes,
        ...(annotator ? { createdBy: annotator } : {}),
      });
      onCreated(session, start);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card label-new" data-testid="new-session">
      <h3>New session</h3>
      <div className="label-form">
        <label>
          Name
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="e.g. Uncertain hate speech, March"
            data-testid="session-name"
          />
        </label>
        <label>
          Pool (a query over content returning content_id)
          <textarea
            value={pool}
            onChange={(event) => setPool(event.target.value)}
            rows={3}
            data-testid="session-pool"
            spellCheck={false}
          />
        </label>
        <label>
          Model
          <select
            value={model}
            onChange={(event) => (setModel(event.target.value), setVersion(''))}
            data-testid="session-model"
          >
            {models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Version (whose scores rank the pool)
          <select value={version} onChange={(event) => setVersion(event.target.value)} data-testid="session-version">
            <option value="">
              {current ? `${current.version} (current; scores the pool where it has not)` : 'current'}
            </option>
            {versions
              .filter((v) => v.model === model && v.version !== current?.version)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version} ({v.items.toLocaleString('en-US')} items scored)
                </option>
              ))}
          </select>
        </label>
        <label>
          Strategy
          <select
            value={strategy}
            onChange={(event) => setStrategy(event.target.value as Strategy)}
            data-testid="session-strategy"
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {STRATEGY_TITLES[s]}
              </option>
            ))}
          </select>
        </label>
        <label title="Each item is handed out until this many annotators have labeled it; agreement needs at least 2">
          Annotators per item
          <input
            type="number"
            min={1}
            max={20}
            value={overlap}
            onChange={(event) => setOverlap(Math.max(1, Math.min(20, Number(event.target.value) || 1)))}
            className="num-input"
            data-testid="session-overlap"
          />
        </label>
        <label title="Items an annotator holds but has not labeled go to whoever asks next once the holder has been idle this long">
          Reassign when idle (minutes)
          <input
            type="number"
            min={1}
            max={1440}
            value={idleMinutes}
            onChange={(event) =>
              setIdleMinutes(Math.max(1, Math.min(1440, Number(event.target.value) || DEFAULT_IDLE_MINUTES)))
            }
            className="num-input"
            data-testid="session-idle"
          />
        </label>
        <label>
          Batch size
          <input
            type="number"
            min={1}
            max={500}
            value={batchSize}
            onChange={(event) => setBatchSize(Math.max(1, Math.min(500, Number(event.target.value) || 1)))}
            className="num-input"
            data-testid="session-batch"
          />
        </label>
      </div>
      <div className="form-row">
        <button
          className="primary"
          disabled={busy || !pool.trim()}
          onClick={() => void create()}
          data-testid="session-create"
        >
          {busy ? 'Creating…' : start ? 'Create and start' : 'Create'}
        </button>
        <label className="toggle" title="Off: create the session for others without taking a batch yourself">
          <input
            type="checkbox"
            checked={start}
            onChange={(event) => setStart(event.target.checked)}
            data-testid="session-start"
          />{' '}
          start labeling it myself
        </label>
        {error && (
          <span className="error-text" role="alert">
            {error}
          </span>
        )}
      </div>
    </section>
  );
}

/** Browser mode: the lead makes a link per annotator, so a team labels on this host, each as themselves. */
function AnnotatorLinks() {
  const [tokens, setTokens] = useState<AnnotatorToken[]>([]);
  const [name, setName] = useState('');
  const [made, setMade] = useState<{ name: string; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => void api['annotators.list']({}).then(setTokens, (err: unknown) => setError(errorMessage(err)));
  useEffect(refresh, []);
  const make = async () => {
    try {
      const { token } = await api['annotators.createToken']({ name: name.trim() });
      setMade({ name: name.trim(), url: `${window.location.origin}/?token=${token}` });
      setName('');
      setError(null);
      refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="card" data-testid="annotator-links">
      <h3>Annotators on this host</h3>
      <p className="muted">
        Each gets a link of their own: it opens only labeling, and every label it records is theirs.
      </p>
      <div className="form-row">
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="annotator's name"
          data-testid="annotator-link-name"
        />
        <button
          onClick={() => void make()}
          disabled={!annotatorName.safeParse(name.trim()).success}
          data-testid="annotator-link-make"
        >
          Make a link
        </button>
      </div>
      {made && (
        <p className="note">
          Link for {made.name} (shown once): <code data-testid="annotator-link-url">{made.url}</code>
        </p>
      )}
      {error && <div className="error-box">{error}</div>}
      {tokens.length > 0 && (
        <ul>
          {tokens.map((token) => (
            <li key={token.name}>
              {token.name} <span className="muted">since {token.createdAt.slice(0, 16).replace('T', ' ')}</span>{' '}
              <button
                className="link"
                onClick={() => void api['annotators.revoke']({ name: token.name }).then(refresh)}
              >
                revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Sessions() {
  const { sessions, annotator, error } = useLabeling();
  const { setAnnotator, open, refreshSessions } = useLabeling.getState();
  const [name, setName] = useState(annotator);
  useEffect(() => {
    void refreshSessions();
  }, [refreshSessions]);
  const validName = annotatorName.safeParse(name.trim()).success;
  const missing = useMissingTables('label');
  const [reviewing, setReviewing] = useState<SessionSummary | null>(null);
  // An annotator's token labels as its own name: no name to set, no sessions to make or review.
  const annotatorOnly = useRole((state) => state.role === 'annotator');
  if (reviewing && annotator)
    return <SessionReview session={reviewing} adjudicator={annotator} onClose={() => setReviewing(null)} />;
  return (
    <div className="label-sessions">
      {missing.length > 0 && <NeedsData view="label" missing={missing} />}
      {!annotatorOnly && (
        <section className="card">
          <h3>Who is labeling</h3>
          <div className="form-row">
            <input
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder="your name"
              data-testid="annotator-name"
              onKeyDown={(event) => event.key === 'Enter' && validName && setAnnotator(name.trim())}
            />
            <button
              onClick={() => setAnnotator(name.trim())}
              disabled={!validName || name.trim() === annotator}
              data-testid="annotator-save"
            >
              {annotator ? 'Change' : 'Set'}
            </button>
            <span className="muted">
              {annotator ? `Labels are recorded as ${annotator}.` : 'Set once; every label records who made it.'}
            </span>
          </div>
        </section>
      )}
      {error && <div className="error-box">{error}</div>}
      <section className="card">
        <h3>Sessions</h3>
        {sessions.length === 0 ? (
          <p className="muted">
            No sessions yet. Create one below: it ranks a pool of content by a model's scores and hands it out in
            batches.
          </p>
        ) : (
          <table className="label-session-list" data-testid="session-list">
            <thead>
              <tr>
                <th>name</th>
                <th>strategy</th>
                <th>model</th>
                <th>items</th>
                <th>policy</th>
                <th>created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td>{session.name}</td>
                  <td>{session.strategy}</td>
                  <td>
                    {session.model} {session.version}
                  </td>
                  <td>{session.ranked.toLocaleString('en-US')}</td>
                  <td>{session.policyVersion}</td>
                  <td>{session.createdAt.slice(0, 16).replace('T', ' ')}</td>
                  <td>
                    <button
                      className="primary"
                      disabled={!annotator}
                      onClick={() => void open(session.id)}
                      data-testid={`open-session-${session.id}`}
                    >
                      Label
                    </button>{' '}
                    <button
                      hidden={annotatorOnly}
                      disabled={!annotator}
                      onClick={() => setReviewing(session)}
                      data-testid={`review-session-${session.id}`}
                      title="Agreement, adjudication and dataset versions"
                    >
                      Review
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {!annotatorOnly && !isDesktop && <AnnotatorLinks />}
      {!annotatorOnly && <ExposurePanel />}
      {!annotatorOnly && <RestrictedPanel />}
      {annotatorOnly ? null : annotator ? (
        <NewSession
          onCreated={(session, startNow) =>
            void (startNow ? open(session.id).then(refreshSessions) : refreshSessions())
          }
        />
      ) : (
        <p className="muted">Set your name to create or open a session.</p>
      )}
    </div>
  );
}

export function LabelView() {
  const session = useLabeling((state) => state.session);
  return <div className="label-view">{session ? <LabelingScreen /> : <Sessions />}</div>;
}
