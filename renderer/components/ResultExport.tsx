/** Export buttons for a host-side result: a save dialog on the desktop, a download in browser mode. */
import { useState } from 'react';
import { chooseExportPath, downloadExport, errorMessage } from '../api/client';
import { runJob } from '../jobs/jobsStore';

export function ResultExport({ resultId, baseName = 'result' }: { resultId: string; baseName?: string }) {
  const [note, setNote] = useState<string | null>(null);

  const exportAs = async (format: 'csv' | 'parquet' | 'json') => {
    try {
      const target = await chooseExportPath(`${baseName}.${format}`);
      if (target === null) return;
      setNote(`Exporting ${format.toUpperCase()}…`);
      const outcome = await runJob('query.export', { resultId, format, path: target });
      setNote(`Exported ${outcome.rows.toLocaleString('en-US')} rows to ${outcome.path}`);
      downloadExport(outcome.path);
    } catch (error) {
      setNote(errorMessage(error));
    }
  };

  return (
    <span className="export" data-testid="export-menu">
      Export
      {(['csv', 'parquet', 'json'] as const).map((format) => (
        <button key={format} onClick={() => void exportAs(format)} data-testid={`export-${format}`}>
          {format.toUpperCase()}
        </button>
      ))}
      {note && (
        <span className="export-note" data-testid="export-note" title={note}>
          {note}
        </span>
      )}
    </span>
  );
}
