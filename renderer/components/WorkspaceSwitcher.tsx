/** Shows the open workspace; opens another by folder path or from the recent ones, or creates an empty one. */
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useWorkspace } from '../workspaceStore';

export function WorkspaceSwitcher() {
  const info = useWorkspace((state) => state.info);
  const refresh = useWorkspace((state) => state.refresh);
  const [editing, setEditing] = useState(false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [recent, setRecent] = useState<{ path: string; name: string; exists: boolean }[]>([]);

  useEffect(() => {
    if (editing) void api['workspace.recent']({}).then(setRecent, () => setRecent([]));
  }, [editing]);

  const go = async (method: 'workspace.open' | 'workspace.create', target: string) => {
    try {
      await api[method]({ path: target });
      setEditing(false);
      setError(null);
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (!editing) {
    return (
      <button className="workspace" data-testid="workspace-name" title={info ? `${info.path} — click to open or create another workspace` : undefined} onClick={() => (setPath(info?.path ?? ''), setEditing(true))}>
        {info ? info.name : 'Opening workspace…'}
      </button>
    );
  }
  return (
    <form
      className="workspace-form"
      onSubmit={(event) => {
        event.preventDefault();
        void go('workspace.open', path);
      }}
    >
      <input autoFocus value={path} onChange={(event) => setPath(event.target.value)} aria-label="Workspace folder" size={48} data-testid="workspace-path" />
      <button type="submit" data-testid="workspace-open">
        Open
      </button>
      <button type="button" onClick={() => void go('workspace.create', path)} title="Create an empty workspace in this new or empty folder, for your own data" data-testid="workspace-new">
        New workspace
      </button>
      <button type="button" onClick={() => (setEditing(false), setError(null))}>
        Cancel
      </button>
      {recent.length > 0 && (
        <span className="workspace-recent">
          Recent:
          {recent.map((entry) => (
            <button key={entry.path} type="button" className="link" disabled={!entry.exists} title={entry.exists ? entry.path : `${entry.path} (no longer there)`} onClick={() => void go('workspace.open', entry.path)}>
              {entry.name}
            </button>
          ))}
        </span>
      )}
      {error && <span className="workspace-error">{error}</span>}
    </form>
  );
}
