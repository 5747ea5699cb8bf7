/**
 * `sift import FILE --as TABLE --map canonical=source,… [--when-taken replace|append]`: the command line's way to
 * map a file's columns onto a canonical table as it is imported. Only the flags' syntax is read here; what a mapping
 * may be (its columns, its required key columns, no NULL key) is the host's to check, with the words the app uses.
 */
import { CANONICAL_TABLES } from '../../shared/canonical.js';

/** The canonical tables an import may be mapped onto (`--as`). */
export const MAPPING_TARGETS = CANONICAL_TABLES.filter((table) => !table.siftOwned).map((table) => table.name);

export const WHEN_TAKEN = ['replace', 'append'] as const;

export interface ImportMappingFlags {
  as?: string;
  /** Each `--map` given: `canonical=source` pairs, comma-separated. */
  map?: string[];
  whenTaken?: string;
}

/** The import's mapping option from the flags, undefined without --as; a malformed flag throws `usage(message)`. */
export function mappingFromFlags(
  flags: ImportMappingFlags,
  files: number,
  usage: (message: string) => Error,
): { canonicalTable: string; columns: Record<string, string>; whenTaken?: (typeof WHEN_TAKEN)[number] } | undefined {
  if (flags.as === undefined) {
    if (flags.map?.length) throw usage('import: --map needs --as TABLE, the canonical table to map onto.');
    if (flags.whenTaken !== undefined) throw usage('import: --when-taken needs --as TABLE.');
    return undefined;
  }
  if (!MAPPING_TARGETS.includes(flags.as)) throw usage(`import: --as is one of ${MAPPING_TARGETS.join(', ')}.`);
  if (files !== 1) throw usage('import: --as maps one file onto a canonical table; give one FILE with it.');
  if (flags.whenTaken !== undefined && !(WHEN_TAKEN as readonly string[]).includes(flags.whenTaken))
    throw usage('import: --when-taken is replace or append.');
  const columns = new Map<string, string>();
  for (const pair of (flags.map ?? []).flatMap((value) => value.split(','))) {
    const entry = pair.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const canonical = entry.slice(0, eq).trim();
    const source = entry.slice(eq + 1).trim();
    if (eq <= 0 || source === '')
      throw usage(`import: --map "${entry}": expected canonical=source (e.g. --map content_id=post_id,text=body).`);
    if (columns.has(canonical)) throw usage(`import: --map names ${canonical} twice.`);
    columns.set(canonical, source);
  }
  return {
    canonicalTable: flags.as,
    columns: Object.fromEntries(columns),
    ...(flags.whenTaken ? { whenTaken: flags.whenTaken as (typeof WHEN_TAKEN)[number] } : {}),
  };
}
