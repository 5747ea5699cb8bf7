/**
 * CodeMirror 6 SQL editor: highlighting, completion that offers the workspace's own tables and columns before any
 * keyword, Ctrl/Cmd+Enter to run the selection or the statement under the cursor, Ctrl/Cmd+Shift+Enter to run all.
 */
import {
  autocompletion,
  closeBrackets,
  closeCompletion,
  type CompletionContext,
  type CompletionResult,
  type CompletionSource,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { keywordCompletionSource, schemaCompletionSource, sql, SQLDialect, StandardSQL } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { TableInfo } from '../../shared/contract';
import { identifiersIn, statementAt } from '../../shared/sqlText';
import type { RunRequest } from '../explore/exploreStore';

interface Props {
  value: string;
  onChange(value: string): void;
  onRun(request: RunRequest): void;
  tables: TableInfo[];
  /** Where the last error points, as an offset into the text. */
  errorAt: { position: number; message: string } | null;
}

/** DuckDB's words on top of standard SQL's (no Postgres-only ones such as TSVECTOR). */
const DuckDB = SQLDialect.define({
  ...StandardSQL.spec,
  keywords: `${StandardSQL.spec.keywords ?? ''} qualify pivot unpivot exclude replace asof positional summarize describe attach detach copy install load pragma ilike glob similar returning using sample tablesample window filter lateral recursive materialized macro`,
  types: `${StandardSQL.spec.types ?? ''} varchar double float bigint hugeint ubigint utinyint tinyint smallint boolean blob uuid json interval timestamptz struct map list`,
});

function schemaFor(tables: TableInfo[]): Record<string, string[]> {
  return Object.fromEntries(tables.map((table) => [table.name, table.columns.map((column) => column.name)]));
}

function boosted(source: CompletionSource, boost: number): CompletionSource {
  return async (context: CompletionContext) => {
    const result = (await source(context)) as CompletionResult | null;
    return (
      result && {
        ...result,
        options: result.options.map((option) => ({ ...option, boost: (option.boost ?? 0) + boost })),
      }
    );
  };
}

/**
 * Unqualified column names: those of the tables the statement names (all the workspace's when it names none yet),
 * each saying which table it is from. CodeMirror's schema source offers columns only after "table.".
 */
function columnSource(tables: TableInfo[]): CompletionSource {
  return (context: CompletionContext) => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !context.explicit) return null;
    const text = context.state.doc.toString();
    const statement = statementAt(text, context.pos);
    const named = statement ? identifiersIn(statement.text) : new Set<string>();
    const inStatement = tables.filter((table) => named.has(table.name.toLowerCase()));
    const offered = new Map<string, string[]>();
    for (const table of inStatement.length > 0 ? inStatement : tables) {
      for (const column of table.columns) offered.set(column.name, [...(offered.get(column.name) ?? []), table.name]);
    }
    return {
      from: word?.from ?? context.pos,
      options: [...offered.entries()].map(([label, from]) => ({
        label,
        type: 'property',
        detail: from.slice(0, 3).join(', '),
        boost: inStatement.length > 0 ? 60 : 30,
      })),
      validFor: /^[A-Za-z0-9_]*$/,
    };
  };
}

/** Tables and columns of this workspace rank above every keyword. */
function completion(tables: TableInfo[]) {
  const schema = schemaCompletionSource({ dialect: DuckDB, schema: schemaFor(tables) });
  const keywords = keywordCompletionSource(DuckDB, true);
  return autocompletion({
    icons: false,
    override: [boosted(schema, 50), columnSource(tables), boosted(keywords, -50)],
  });
}

/** The editor on screen, so the schema browser can insert a table's name at the cursor. */
let current: EditorView | null = null;

export function insertAtCursor(text: string): boolean {
  if (!current) return false;
  const { from, to } = current.state.selection.main;
  current.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
  current.focus();
  return true;
}

function runRequest(editor: EditorView, mode: RunRequest['mode']): RunRequest {
  const { from, to, head } = editor.state.selection.main;
  return to > from ? { mode, selection: { from, to }, cursor: head } : { mode, cursor: head };
}

export function SqlEditor({ value, onChange, onRun, tables, errorAt }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const completions = useRef(new Compartment());
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };

  useEffect(() => {
    const run = (mode: RunRequest['mode']) => (editor: EditorView) => {
      closeCompletion(editor);
      callbacks.current.onRun(runRequest(editor, mode));
      return true;
    };
    const state = EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle),
        completions.current.of(completion(tables)),
        lintGutter(),
        placeholder('SELECT … (Ctrl/Cmd+Enter runs the statement under the cursor)'),
        sql({ dialect: DuckDB, upperCaseKeywords: true }),
        Prec.highest(
          keymap.of([
            { key: 'Mod-Enter', run: run('current') },
            { key: 'Mod-Shift-Enter', run: run('all') },
          ]),
        ),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
        }),
        EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    current = view.current;
    return () => {
      if (current === view.current) current = null;
      view.current?.destroy();
    };
    // The editor is created once; later value changes come from the user typing in it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Text set from outside (another tab, a history entry) replaces the document; typing does not loop back.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value)
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: completions.current.reconfigure(completion(tables)) });
  }, [tables]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const diagnostics: Diagnostic[] = errorAt
      ? [
          {
            from: Math.min(errorAt.position, length),
            to: Math.min(errorAt.position + 1, length),
            severity: 'error',
            message: errorAt.message,
          },
        ]
      : [];
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [errorAt]);

  return <div className="sql-editor" ref={host} data-testid="sql-editor" />;
}

/** The run request the Run buttons make: the editor's selection or cursor, as the shortcuts do. */
export function runRequestFromEditor(mode: RunRequest['mode']): RunRequest {
  return current ? runRequest(current, mode) : { mode };
}
