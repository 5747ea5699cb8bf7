/** A form rendered from a report's parameter block: the right input for each declared type. */
import type { ReportParamInfo } from '../../shared/contract';

function inputFor(param: ReportParamInfo, value: string, onChange: (value: string) => void) {
  const common = { id: `param-${param.name}`, 'data-testid': `param-${param.name}`, name: param.name };
  switch (param.type) {
    case 'boolean':
      return (
        <input
          {...common}
          type="checkbox"
          checked={/^(t|true|y|yes|1|on)$/i.test(value)}
          onChange={(event) => onChange(event.target.checked ? 'true' : 'false')}
        />
      );
    case 'date':
      return <input {...common} type="date" value={value} onChange={(event) => onChange(event.target.value)} />;
    case 'datetime':
      return (
        <input
          {...common}
          type="datetime-local"
          step={1}
          value={value.replace(' ', 'T')}
          onChange={(event) => onChange(event.target.value.replace('T', ' '))}
        />
      );
    case 'time':
      return (
        <input {...common} type="time" step={1} value={value} onChange={(event) => onChange(event.target.value)} />
      );
    case 'int':
    case 'bigint':
    case 'double':
      // Text, not type=number: Data Explorer accepts Inf, NaN and #null, which number inputs refuse.
      return (
        <input
          {...common}
          className="num-input"
          inputMode="decimal"
          value={value}
          placeholder={param.nullable ? 'blank = NULL' : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default:
      return (
        <input
          {...common}
          value={value}
          placeholder={param.type.endsWith('_list') ? 'comma,separated' : param.nullable ? 'blank = NULL' : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
  }
}

export function ParamForm({
  params,
  values,
  onChange,
  onSubmit,
}: {
  params: ReportParamInfo[];
  values: Record<string, string>;
  onChange(name: string, value: string): void;
  onSubmit(): void;
}) {
  return (
    <form
      className="param-form"
      data-testid="param-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {params.map((param) => (
        <label key={param.name} htmlFor={`param-${param.name}`} className="param">
          <span className="param-name">
            {param.name}
            <small>
              {param.declaredType}
              {param.nullable ? ', nullable' : ''}
            </small>
          </span>
          {inputFor(param, values[param.name] ?? '', (value) => onChange(param.name, value))}
        </label>
      ))}
      <button type="submit" className="primary" data-testid="run-report">
        ▶ Run
      </button>
    </form>
  );
}
