/**
 * An empty state that names what to import: the canonical tables a view reads (shared/canonical.ts VIEW_NEEDS)
 * that this workspace lacks, with the columns each carries, and the way in (Import…, or dropping files).
 */
import { CANONICAL_TABLES, missingForView, VIEW_NEEDS, type ViewWithNeeds } from '../../shared/canonical';
import { useWorkspace } from '../workspaceStore';

export function useMissingTables(view: ViewWithNeeds): string[] {
  const tables = useWorkspace((state) => state.tables);
  const loaded = useWorkspace((state) => state.info !== null);
  return loaded
    ? missingForView(
        view,
        tables.map((table) => table.name),
      )
    : [];
}

export function NeedsData({ view, missing }: { view: ViewWithNeeds; missing: string[] }) {
  const needs = VIEW_NEEDS[view];
  const either = needs.anyOf.length > 0 && missing.some((name) => (needs.anyOf as readonly string[]).includes(name));
  return (
    <div className="note needs-data" data-testid={`needs-${view}`}>
      <p>
        {needs.purpose}, and this workspace has no{' '}
        {missing.map((name, i) => (
          <span key={name}>
            {i > 0 ? (either && i === missing.length - 1 ? ' or ' : ', ') : ''}
            <b>{name}</b>
          </span>
        ))}{' '}
        yet. Import your logs (Import…, or drop CSV, Parquet or JSON files on the window) and map them onto{' '}
        {missing.length > 1 ? 'these canonical names' : 'that canonical name'}:
      </p>
      <ul>
        {missing.map((name) => (
          <li key={name}>
            <b>{name}</b>:{' '}
            {CANONICAL_TABLES.find((table) => table.name === name)
              ?.columns.map((column) => column.name)
              .join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
