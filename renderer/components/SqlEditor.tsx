/** CodeMirror 6 SQL editor: highlighting, completion from the workspace schema, Ctrl/Cmd+Enter to run. */
import { autocompletion, closeBrackets, closeCompletion } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { TableInfo } from '../../shared/contract';

interface Props {
  value: string;
  onChange(value: string): void;
  onRun(): void;
  tables: TableInfo[];
  /** Where the last error points, as an offset into the text. */
  errorAt: { position: number; message: string } | null;
}

function schemaFor(tables: TableInfo[]): Record<string, string[]> {
  return Object.fromEntries(tables.map((table) => [table.name, table.columns.map((column) => column.name)]));
}

export function SqlEditor({ value, onChange, onRun, tables, errorAt }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };

  useEffect(() => {
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
        autocompletion({ icons: false }),
        lintGutter(),
        placeholder('SELECT … (Ctrl/Cmd+Enter runs)'),
        language.current.of(sql({ dialect: PostgreSQL, schema: schemaFor(tables), upperCaseKeywords: true })),
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: (editor) => {
                closeCompletion(editor);
                callbacks.current.onRun();
                return true;
              },
            },
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
    return () => view.current?.destroy();
    // The editor is created once; later value changes come from the user typing in it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Text set from outside (a table picked in the schema browser) replaces the document; typing does not loop back.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(sql({ dialect: PostgreSQL, schema: schemaFor(tables), upperCaseKeywords: true })),
    });
  }, [tables]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const diagnostics: Diagnostic[] = errorAt
      ? [{ from: Math.min(errorAt.position, length), to: Math.min(errorAt.position + 1, length), severity: 'error', message: errorAt.message }]
      : [];
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [errorAt]);

  return <div className="sql-editor" ref={host} data-testid="sql-editor" />;
}
