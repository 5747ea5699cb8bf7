/**
 * Shows the open workspace; opens another or creates an empty one — with the native folder picker on the desktop,
 * by folder path in browser mode (where the host's owner decides which folders are allowed) — or from the recent ones.
 */
import { useEffect, useState } from 'react';
import { api, errorMessage, isDesktop, pickFolderOnDesktop } from '../api/client';
import { saveTabsNow } from '../explore/exploreStore';
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

  // A typed path in browser mode; the native folder picker on the desktop.
  const choose = async (method: 'workspace.open' | 'workspace.create') => {
    const picked = isDesktop ? await pickFolderOnDesktop(method === 'workspace.create' ? 'create' : 'open') : undefined;
    if (picked === null) return; // the picker was cancelled
    await go(method, picked ?? path);
  };

  const go = async (method: 'workspace.open' | 'workspace.create', target: string) => {
    try {
      await saveTabsNow(); // the open workspace keeps its editor tabs as they are now
      await api[method]({ path: target });
      setEditing(false);
      setError(null);
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  // The name stays in the bar (shortened with an ellipsis, whole in its tooltip); the form opens on a row of its own
  // below it, so neither pushes the views or Import… out of the window.
  const name = (
    <button
      className={`workspace ${editing ? 'active' : ''}`}
      data-testid="workspace-name"
      title={info ? `${info.name}\n${info.path}\nClick to open or create another workspace` : undefined}
      aria-expanded={editing}
      onClick={() => (editing ? (setEditing(false), setError(null)) : (setPath(info?.path ?? ''), setEditing(true)))}
    >
      {info ? info.name : 'Opening workspace…'}
    </button>
  );
  if (!editing) return name;
  return (
    <>
      {name}
      <form
        className="workspace-form"
        onSubmit={(event) => {
          event.preventDefault();
          void choose('workspace.open');
        }}
      >
        {!isDesktop && (
          <input
            autoFocus
            value={path}
            onChange={(event) => setPath(event.target.value)}
            aria-label="Workspace folder"
            data-testid="workspace-path"
          />
        )}
        <button type="submit" data-testid="workspace-open" autoFocus={isDesktop}>
          {isDesktop ? 'Open workspace…' : 'Open'}
        </button>
        <button
          type="button"
          onClick={() => void choose('workspace.create')}
          title="Create an empty workspace in a new or empty folder, for your own data"
          data-testid="workspace-new"
        >
          New workspace{isDesktop ? '…' : ''}
        </button>
        <button type="button" onClick={() => (setEditing(false), setError(null))}>
          Cancel
        </button>
        {recent.length > 0 && (
          <span className="workspace-recent">
            Recent:
            {recent.map((entry) => (
              <button
                key={entry.path}
                type="button"
                className="link"
                disabled={!entry.exists}
                title={entry.exists ? entry.path : `${entry.path} (no longer there)`}
                onClick={() => void go('workspace.open', entry.path)}
              >
                {entry.name}
              </button>
            ))}
          </span>
        )}
        {error && <span className="workspace-error">{error}</span>}
      </form>
    </>
  );
}
