/** What is evaluated and how: model, version, the version compared with, category, bins and the chart options. */
import { type BinStrategy, useEvaluation } from './evalStore';

export function EvalToolbar() {
  const state = useEvaluation();
  const { model, version, versionB, versions, result } = state;
  const modelVersions = versions.filter((v) => v.model === model);
  return (
    <div className="toolbar">
      <label>
        Model{' '}
        <select value={model} onChange={(event) => state.setModel(event.target.value)} data-testid="eval-model">
          {[...new Set([...state.models.map((m) => m.name), ...versions.map((v) => v.model)])].map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Version{' '}
        <select value={version} onChange={(event) => state.setVersion(event.target.value)} data-testid="eval-version">
          {modelVersions.map((v) => (
            <option key={v.version} value={v.version}>
              {v.version} ({v.items.toLocaleString('en-US')} items)
            </option>
          ))}
        </select>
      </label>
      <label>
        Compare with{' '}
        <select
          value={versionB}
          onChange={(event) => state.setVersionB(event.target.value)}
          data-testid="eval-version-b"
        >
          <option value="">—</option>
          {versions
            .filter((v) => !(v.model === model && v.version === version))
            .map((v) => (
              <option key={`${v.model}@${v.version}`} value={`${v.model}@${v.version}`}>
                {v.model} {v.version}
              </option>
            ))}
        </select>
      </label>
      <label>
        Category{' '}
        <select
          value={state.category}
          onChange={(event) => state.setCategory(event.target.value)}
          data-testid="eval-category"
        >
          {result?.categories.map((c) => (
            <option key={c.category} value={c.category}>
              {c.category}
              {c.critical ? ' (critical)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Bins{' '}
        <input
          className="num-input"
          type="number"
          min={2}
          max={50}
          value={state.bins}
          onChange={(event) => Number(event.target.value) >= 2 && state.setBins(Number(event.target.value))}
          data-testid="eval-bins"
        />
      </label>
      <label>
        <select
          value={state.strategy}
          onChange={(event) => state.setStrategy(event.target.value as BinStrategy)}
          data-testid="eval-strategy"
        >
          <option value="uniform">uniform bins</option>
          <option value="quantile">quantile bins</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={state.logCounts}
          onChange={(event) => state.setLogCounts(event.target.checked)}
        />{' '}
        log counts
      </label>
      <span className="status">
        {state.loading ? 'Computing…' : result ? `${result.labelSource}; ${result.elapsedMs} ms` : ''}
      </span>
    </div>
  );
}
