/** A monitor's playbook: what its alerts mean and what to do, as Markdown; the workspace's owner edits it here. */
import { useEffect, useState } from 'react';
import type { MonitorInfo } from '../../shared/contract';
import { Markdown } from './Markdown';

export function PlaybookPanel({
  monitor,
  onSave,
}: {
  monitor: MonitorInfo;
  onSave(playbook: string): Promise<boolean>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => setDraft(null), [monitor.name]);
  return (
    <div className="playbook" data-testid="playbook">
      <div className="playbook-head">
        <h3>Playbook: {monitor.name}</h3>
        {draft === null && (
          <button onClick={() => setDraft(monitor.playbook)} data-testid="playbook-edit">
            Edit
          </button>
        )}
      </div>
      {draft === null ? (
        monitor.playbook.trim() ? (
          <Markdown source={monitor.playbook} testId="playbook-text" />
        ) : (
          <p className="muted">
            No playbook yet. Write what an alert of this monitor means, where to look first and whom to call.
          </p>
        )
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void onSave(draft).then((saved) => saved && setDraft(null));
          }}
        >
          <textarea
            className="mono"
            rows={12}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            aria-label={`Playbook of ${monitor.name} (Markdown)`}
            data-testid="playbook-input"
            autoFocus
          />
          <div className="modal-actions">
            <span className="muted">Markdown: # headings, - lists, **bold**, `code`, [links](https://…)</span>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
            <button type="submit" className="primary" data-testid="playbook-save">
              Save playbook
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
