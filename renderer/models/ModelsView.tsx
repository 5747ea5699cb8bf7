/** Models: the registry, a "try it" box, re-scoring a query (locally or on a remote server), and shadow comparison. */
import { useEffect, useState } from 'react';
import type { ModelInfo, TryResult, VersionComparison } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { runJob } from '../jobs/jobsStore';

// The latest week of content, on any workspace. A late-fusion model's account features need not be selected:
// scoring joins them from content_features, as of each item's upload.
const LATEST_WEEK =
  'SELECT content_id, text{extra}\nFROM content\nWHERE created_at >= (SELECT max(created_at) FROM content) - INTERVAL 7 DAY';
const DEFAULT_SQL: Record<ModelInfo['kind'], string> = {
  distilled_text: LATEST_WEEK.replace('{extra}', ''),
  late_fusion: LATEST_WEEK.replace('{extra}', ', image_emb'),
};

type AccountFeatures = { account_age_days: number; prior_violations_30d: number; posting_rate: number };

function TryBox({ models }: { models: ModelInfo[] }) {
  const [model, setModel] = useState('text-distil');
  const [text, setText] = useState('GET 10k real followers in 24h → boostfans.example/join limited offer');
  // Late fusion: the features as scoring computes them for an upload by an account at a time, or typed by hand.
  const [featureSource, setFeatureSource] = useState<'asOf' | 'typed'>('asOf');
  const [asOf, setAsOf] = useState({ userId: '', at: '' });
  const [account, setAccount] = useState<AccountFeatures>({
    account_age_days: 2,
    prior_violations_30d: 0,
    posting_rate: 12,
  });
  const [result, setResult] = useState<TryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const info = models.find((m) => m.name === model);
  const fusion = info?.kind === 'late_fusion';
  const run = async () => {
    try {
      setError(null);
      const features = !fusion
        ? {}
        : featureSource === 'typed'
          ? { account }
          : { asOf: { userId: asOf.userId.trim(), at: asOf.at.trim() } };
      const outcome = await api['models.try']({ model, text, ...features });
      setResult(outcome);
      if (outcome.account?.source === 'computed')
        setAccount({ ...account, ...(outcome.account.values as Partial<AccountFeatures>) });
    } catch (err) {
      setResult(null); // never leave an earlier item's scores beside this error
      setError(errorMessage(err));
    }
  };
  return (
    <section className="card" data-testid="try-box">
      <h3>Try it</h3>
      <div className="form-row">
        <select
          value={model}
          onChange={(event) => setModel(event.target.value)}
          data-testid="try-model"
          aria-label="Model"
        >
          {models
            .filter((m) => !m.error)
            .map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} {m.version}
              </option>
            ))}
        </select>
        {fusion && (
          <select
            value={featureSource}
            onChange={(event) => setFeatureSource(event.target.value as 'asOf' | 'typed')}
            data-testid="try-feature-source"
            aria-label="Account features"
          >
            <option value="asOf">account features as of an upload</option>
            <option value="typed">account features typed</option>
          </select>
        )}
        {fusion && featureSource === 'asOf' && (
          <>
            <label>
              user_id{' '}
              <input
                value={asOf.userId}
                onChange={(event) => setAsOf({ ...asOf, userId: event.target.value })}
                placeholder="u0000161"
                data-testid="try-user"
              />
            </label>
            <label>
              at{' '}
              <input
                value={asOf.at}
                onChange={(event) => setAsOf({ ...asOf, at: event.target.value })}
                placeholder="2024-03-14T12:00:00"
                data-testid="try-at"
              />
            </label>
          </>
        )}
        {fusion &&
          featureSource === 'typed' &&
          (Object.keys(account) as (keyof AccountFeatures)[]).map((key) => (
            <label key={key}>
              {key}{' '}
              <input
                className="num-input"
                value={account[key]}
                onChange={(event) => setAccount({ ...account, [key]: Number(event.target.value) })}
              />
            </label>
          ))}
      </div>
      {fusion && featureSource === 'asOf' && (
        <p className="muted">
          Computed from content, users and moderation_actions exactly as scoring computes them (content_features):
          nothing at or after that time counts.
        </p>
      )}
      <textarea value={text} onChange={(event) => setText(event.target.value)} rows={3} data-testid="try-text" />
      <div className="form-row">
        <button className="primary" onClick={() => void run()} data-testid="try-run">
          Score
        </button>
        {result && (
          <span data-testid="try-decision" className={`decision decision-${result.decision}`}>
            {result.decision}
            {result.category ? ` (${result.category})` : ''}
          </span>
        )}
        {result && (
          <span className="muted">
            {result.latencyMs} ms on {result.provider}
          </span>
        )}
        {result?.account && (
          <span className="muted" data-testid="try-account">
            {result.account.source === 'computed' ? 'as of upload: ' : ''}
            {Object.entries(result.account.values)
              .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(1)}`)
              .join(', ')}
          </span>
        )}
      </div>
      {error && <div className="error-box">{error}</div>}
      {result && (
        <table className="scores" data-testid="try-scores">
          <tbody>
            {Object.entries(result.scores).map(([category, score]) => (
              <tr key={category}>
                <td>{category}</td>
                <td className="bar-cell">
                  <div
                    className={`bar decision-${result.decisions[category]}`}
                    style={{ width: `${Math.max(1, score * 100)}%` }}
                  />
                </td>
                <td className="num">{score.toFixed(3)}</td>
                <td>{result.decisions[category]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ScoreBox({ models, onDone }: { models: ModelInfo[]; onDone(): void }) {
  const [model, setModel] = useState('text-distil');
  const info = models.find((m) => m.name === model);
  const [sql, setSql] = useState(DEFAULT_SQL.distilled_text);
  const [remoteUrl, setRemoteUrl] = useState('');
  const [token, setToken] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const start = async () => {
    try {
      setNote('Scoring…');
      const outcome = await runJob('models.score', {
        model,
        sql,
        ...(remoteUrl ? { remote: { url: remoteUrl, ...(token ? { token } : {}) } } : {}),
      });
      setNote(
        `Scored ${outcome.items.toLocaleString('en-US')} items on ${outcome.provider} (${outcome.note}): ${outcome.rows.toLocaleString('en-US')} scores written, ${outcome.itemsPerSecond.toLocaleString('en-US')} items/s.`,
      );
      onDone();
    } catch (err) {
      setNote(errorMessage(err));
    }
  };
  return (
    <section className="card" data-testid="score-box">
      <h3>Re-score a query</h3>
      <div className="form-row">
        <select
          value={model}
          onChange={(event) => {
            setModel(event.target.value);
            const kind = models.find((m) => m.name === event.target.value)?.kind;
            if (kind) setSql(DEFAULT_SQL[kind]);
          }}
          data-testid="score-model"
        >
          {models
            .filter((m) => !m.error)
            .map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} {m.version}
              </option>
            ))}
        </select>
        <label title="An Open Inference Protocol (KServe v2) server: Triton, KServe, MLServer">
          Remote URL{' '}
          <input
            value={remoteUrl}
            placeholder="(local)"
            onChange={(event) => setRemoteUrl(event.target.value)}
            size={28}
          />
        </label>
        {remoteUrl && (
          <label>
            Token <input type="password" value={token} onChange={(event) => setToken(event.target.value)} size={12} />
          </label>
        )}
      </div>
      <textarea
        className="mono"
        value={sql}
        onChange={(event) => setSql(event.target.value)}
        rows={6}
        data-testid="score-sql"
      />
      <p className="muted">
        The query returns content_id and text
        {info?.kind === 'late_fusion'
          ? ', and image_emb when there is one; account features it does not return are joined from content_features, as of each upload'
          : ''}
        . Scores go to model_scores with this run's id; re-running replaces this version's earlier scores.
      </p>
      <div className="form-row">
        <button className="primary" onClick={() => void start()} data-testid="score-run">
          Score
        </button>
        {note && <span data-testid="score-note">{note}</span>}
      </div>
    </section>
  );
}

/**
 * When a version went live, for the spike timeline's markers. Without it a version counts from its first use in the
 * moderation log; scoring time never counts (a re-score is not a deployment).
 */
function DeploymentDate({ versions }: { versions: { model: string; version: string }[] }) {
  const [key, setKey] = useState('');
  const [when, setWhen] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const chosen = key || (versions.at(-1) ? `${versions.at(-1)!.model}@${versions.at(-1)!.version}` : '');
  const save = async (deployedAt: string | null) => {
    const at = chosen.lastIndexOf('@');
    try {
      await api['models.setDeployment']({ model: chosen.slice(0, at), version: chosen.slice(at + 1), deployedAt });
      setMessage(
        deployedAt
          ? `${chosen} deployed ${deployedAt.replace('T', ' ').slice(0, 16)} UTC: the spike timeline marks it there.`
          : `${chosen}: back to its first use in the moderation log.`,
      );
    } catch (err) {
      setMessage(errorMessage(err));
    }
  };
  return (
    <div className="form-row" data-testid="deployment-date">
      <span className="muted">Deployed:</span>
      <select value={chosen} onChange={(event) => setKey(event.target.value)} aria-label="Model version">
        {versions.map((v) => (
          <option key={`${v.model}@${v.version}`} value={`${v.model}@${v.version}`}>
            {v.model} {v.version}
          </option>
        ))}
      </select>
      <input
        type="datetime-local"
        value={when}
        onChange={(event) => setWhen(event.target.value)}
        aria-label="Deployed at (UTC)"
      />
      <button disabled={!chosen || !when} onClick={() => void save(`${when}:00Z`)}>
        Set
      </button>
      <button className="link" disabled={!chosen} onClick={() => void save(null)}>
        Use the log
      </button>
      {message && <span className="muted">{message}</span>}
    </div>
  );
}

function CompareBox({ refreshKey }: { refreshKey: number }) {
  const [versions, setVersions] = useState<{ model: string; version: string; items: number }[]>([]);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [comparison, setComparison] = useState<VersionComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api['models.versions']({}).then((list) => {
      setVersions(list);
      if (list.length >= 2) {
        setA((current) => current || `${list[list.length - 2]!.model}@${list[list.length - 2]!.version}`);
        setB((current) => current || `${list[list.length - 1]!.model}@${list[list.length - 1]!.version}`);
      }
    });
  }, [refreshKey]);
  const parse = (key: string) => {
    const at = key.lastIndexOf('@');
    return { model: key.slice(0, at), version: key.slice(at + 1) };
  };
  const compare = async () => {
    try {
      setError(null);
      setComparison(await runJob('models.compare', { a: parse(a), b: parse(b) }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const options = versions.map((v) => (
    <option key={`${v.model}@${v.version}`} value={`${v.model}@${v.version}`}>
      {v.model} {v.version} ({v.items.toLocaleString('en-US')} items)
    </option>
  ));
  return (
    <section className="card" data-testid="compare-box">
      <h3>Shadow comparison</h3>
      <div className="form-row">
        <select value={a} onChange={(event) => setA(event.target.value)} data-testid="compare-a">
          {options}
        </select>
        <span>vs</span>
        <select value={b} onChange={(event) => setB(event.target.value)} data-testid="compare-b">
          {options}
        </select>
        <button className="primary" onClick={() => void compare()} data-testid="compare-run" disabled={!a || !b}>
          Compare
        </button>
      </div>
      {error && <div className="error-box">{error}</div>}
      <DeploymentDate versions={versions} />
      {comparison && (
        <>
          <table className="compare" data-testid="compare-table">
            <thead>
              <tr>
                <th>category</th>
                <th>items in both</th>
                <th>decisions that flip</th>
                <th>removed: A → B</th>
                <th>escalated: A → B</th>
              </tr>
            </thead>
            <tbody>
              {comparison.categories.map((c) => (
                <tr key={c.category}>
                  <td>{c.category}</td>
                  <td className="num">{c.items.toLocaleString('en-US')}</td>
                  <td className="num">
                    {c.flips.toLocaleString('en-US')} ({(100 * c.divergence).toFixed(1)}%)
                  </td>
                  <td className="num">
                    {c.removeA} → {c.removeB}
                  </td>
                  <td className="num">
                    {c.escalateA} → {c.escalateB}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {comparison.categories.length === 0 && <p className="muted">The two versions scored no items in common.</p>}
          <h4>Largest flips</h4>
          <table className="compare flips">
            <tbody>
              {comparison.flips.slice(0, 15).map((flip) => (
                <tr key={`${flip.contentId}-${flip.category}`}>
                  <td>{flip.contentId}</td>
                  <td>{flip.category}</td>
                  <td className="num">
                    {flip.scoreA.toFixed(2)} → {flip.scoreB.toFixed(2)}
                  </td>
                  <td>
                    {flip.decisionA} → {flip.decisionB}
                  </td>
                  <td className="text-cell">{flip.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function ModelsView() {
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [folder, setFolder] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const refresh = () => void api['models.list']({}).then(setModels, (err: unknown) => setNote(errorMessage(err)));
  useEffect(refresh, []);
  const missing = useMissingTables('models');
  return (
    <section className="models-view" data-testid="models-view">
      <div className="models-column">
        {missing.length > 0 && <NeedsData view="models" missing={missing} />}
        <section className="card">
          <h3>Models</h3>
          <table className="model-list" data-testid="model-list">
            <thead>
              <tr>
                <th>name</th>
                <th>version</th>
                <th>kind</th>
                <th>runs on</th>
                <th>hash</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={`${m.dir}`} title={m.error ?? m.description}>
                  <td>{m.name}</td>
                  <td>{m.version}</td>
                  <td>{m.kind.replace('_', ' ')}</td>
                  <td>
                    {m.error ? (
                      <span className="error-text">{m.error}</span>
                    ) : m.runtime ? (
                      // The provider, in a word; how to get CUDA (and why it is not in use) is in the tooltip.
                      <span title={m.runtime.note || undefined} data-testid={`runs-on-${m.name}`}>
                        {m.runtime.provider === 'cpu' ? 'CPU' : m.runtime.provider.toUpperCase()}
                        {m.runtime.note && m.runtime.provider === 'cpu' && m.kind === 'late_fusion' ? (
                          <span className="muted"> (GPU when present)</span>
                        ) : null}
                      </span>
                    ) : m.kind === 'late_fusion' ? (
                      'GPU when present'
                    ) : (
                      'CPU'
                    )}
                  </td>
                  <td className="mono">{m.hash.slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="form-row"
            onSubmit={async (event) => {
              event.preventDefault();
              try {
                const info = await api['models.add']({ path: folder });
                setNote(`Added ${info.name} ${info.version}.`);
                refresh();
              } catch (err) {
                setNote(errorMessage(err));
              }
            }}
          >
            <input
              value={folder}
              onChange={(event) => setFolder(event.target.value)}
              placeholder="/path/to/model-folder (model.json + .onnx)"
              size={44}
            />
            <button type="submit">Add model</button>
            {note && <span className="muted">{note}</span>}
          </form>
        </section>
        <TryBox models={models} />
      </div>
      <div className="models-column">
        <ScoreBox
          models={models}
          onDone={() => {
            refresh();
            setRefreshKey((k) => k + 1);
          }}
        />
        <CompareBox refreshKey={refreshKey} />
      </div>
    </section>
  );
}
