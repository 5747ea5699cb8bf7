/** Shows the open workspace and opens another by folder path. */
import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useWorkspace } from '../workspaceStore';

export function WorkspaceSwitcher() {
  const info = useWorkspace((state) => state.info);
  const refresh = useWorkspace((state) => state.refresh);
  const [editing, setEditing] = useState(false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);

  if (!editing) {
    return (
      <button className="workspace" data-testid="workspace-name" title={info ? `${info.path} — click to open another workspace` : undefined} onClick={() => (setPath(info?.path ?? ''), setEditing(true))}>
        {info ? info.name : 'Opening workspace…'}
      </button>
    );
  }
  return (
    <form
      className="workspace-form"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          await api['workspace.open']({ path });
          setEditing(false);
          setError(null);
          await refresh();
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
    >
      <input autoFocus value={path} onChange={(event) => setPath(event.target.value)} aria-label="Workspace folder" size={48} />
      <button type="submit">Open</button>
      <button type="button" onClick={() => (setEditing(false), setError(null))}>
        Cancel
      </button>
      {error && <span className="workspace-error">{error}</span>}
    </form>
  );
}
