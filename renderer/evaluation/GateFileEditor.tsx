/**
 * The gate file's editor (policy/gates.json): JSON text, checked as it is typed by the same schema the host checks
 * it with, the problem named by its field; saved through gates.set. Keyboard only: Tab leaves the text (it is never
 * trapped), Ctrl+S or Cmd+S saves.
 */
import { gateFileProblem, useRelease } from './releaseStore';

export function GateFileEditor() {
  const text = useRelease((state) => state.text);
  const savedText = useRelease((state) => state.savedText);
  const fileNote = useRelease((state) => state.fileNote);
  const saving = useRelease((state) => state.saving);
  const { setText, save, revert } = useRelease.getState();
  const problem = gateFileProblem(text);
  const changed = text !== savedText;
  return (
    <div className="card gate-editor" data-testid="gate-editor">
      <h3 id="gate-file-title">Gate file — policy/gates.json</h3>
      <textarea
        className="mono"
        value={text}
        spellCheck={false}
        rows={24}
        aria-labelledby="gate-file-title"
        aria-describedby="gate-file-problem"
        aria-invalid={problem !== null}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
            event.preventDefault();
            void save();
          }
        }}
        data-testid="gate-file-text"
      />
      <div
        id="gate-file-problem"
        className={problem ? 'error-text' : 'muted'}
        role="status"
        data-testid="gate-file-problem"
      >
        {problem ?? (changed ? 'Valid; not saved yet (Ctrl+S saves).' : 'Valid.')}
      </div>
      <div className="gate-editor-actions">
        <button
          className="primary"
          disabled={!changed || problem !== null || saving}
          onClick={() => void save()}
          data-testid="gate-file-save"
        >
          Save
        </button>
        <button disabled={!changed} onClick={revert} data-testid="gate-file-revert">
          Revert
        </button>
        {fileNote && (
          <span className="muted" data-testid="gate-file-note">
            {fileNote}
          </span>
        )}
      </div>
    </div>
  );
}
