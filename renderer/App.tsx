import { type DragEvent, useEffect, useRef, useState } from 'react';
import { isDesktop, pickFilesOnDesktop, subscribeToHostEvents } from './api/client';
import { useLiveResults } from './components/liveResults';
import { ExploreView } from './explore/ExploreView';
import { insertAtCursor } from './components/SqlEditor';
import { useExplore } from './explore/exploreStore';
import { SchemaBrowser } from './explore/SchemaBrowser';
import { ImportDialog, type ImportSource } from './import/ImportDialog';
import { EvalView } from './evaluation/EvalView';
import { useEvaluation } from './evaluation/evalStore';
import { useRelease } from './evaluation/releaseStore';
import { LabelView } from './label/LabelView';
import { useLabeling } from './label/labelStore';
import { StatusBar } from './jobs/StatusBar';
import { ModelsView } from './models/ModelsView';
import { MonitorView } from './monitor/MonitorView';
import { useMonitor } from './monitor/monitorStore';
import { useNavigation, VIEWS } from './navigation';
import { SpikeView } from './spikes/SpikeView';
import { useSpikes } from './spikes/spikesStore';
import { ReportsView } from './reports/ReportsView';
import { useReports } from './reports/reportsStore';
import { WorkspaceSwitcher } from './components/WorkspaceSwitcher';
import { useJobs } from './jobs/jobsStore';
import { useRole } from './roleStore';
import { useWorkspace } from './workspaceStore';

export function App() {
  const { error, refresh } = useWorkspace();
  const applyJobEvent = useJobs((state) => state.apply);
  const [imports, setImports] = useState<{ id: number; source: ImportSource }[]>([]);
  const nextImportId = useRef(1);
  /** Said when the engine process stopped (a native crash) and while it restarts; the window itself stays. */
  const [engineNotice, setEngineNotice] = useState<string | null>(null);
  const enqueue = (sources: ImportSource[]) =>
    setImports((queue) => [...queue, ...sources.map((source) => ({ id: nextImportId.current++, source }))]);
  const [dragging, setDragging] = useState(false);
  const view = useNavigation((state) => state.view);
  const setView = useNavigation((state) => state.go);
  const fileInput = useRef<HTMLInputElement>(null);

  const role = useRole();
  useEffect(() => {
    void useRole.getState().load();
  }, []);
  // An annotator's window labels as them and nothing else: no workspace calls, no event stream.
  useEffect(() => {
    if (role.known && role.role === 'annotator' && role.annotator) {
      useLabeling.setState({ annotator: role.annotator }); // not remembered: this browser may be the lead's too
      setView('label');
    }
  }, [role.known, role.role, role.annotator, setView]);

  useEffect(() => {
    if (!role.known || role.role === 'annotator') return;
    void refresh();
    void useExplore.getState().loadTabs();
    return subscribeToHostEvents((event) => {
      if (event.channel === 'job') return applyJobEvent(event.event);
      if (event.channel === 'engine') {
        if (event.event.type === 'stopped')
          setEngineNotice(`The engine stopped: ${event.event.reason}. Restarting it on the same workspace…`);
        else
          setEngineNotice('The engine stopped and was restarted; results shown before it stopped must be run again.');
        return;
      }
      if (event.channel === 'monitor') return useMonitor.getState().apply(event.event);
      if (event.channel === 'feed') {
        if (event.event.type === 'taken') useMonitor.getState().dataArrived();
        return;
      }
      if (event.channel === 'query') {
        useLiveResults.getState().apply(event.event);
        useReports.getState().streamed(event.event);
        return useExplore.getState().streamed(event.event);
      }
      if (event.event.type === 'opened') {
        useExplore.getState().reset();
        void useExplore.getState().loadTabs();
        if (useLabeling.getState().session) useLabeling.getState().close();
        void useReports.getState().refresh();
        if (useSpikes.getState().overview) void useSpikes.getState().load();
        useEvaluation.getState().reset();
        useRelease.getState().reset();
        const monitorShown = useMonitor.getState().loaded;
        useMonitor.setState({ monitors: [], alerts: [], series: {}, pinned: [], selected: null, note: null });
        if (monitorShown)
          void useMonitor
            .getState()
            .load()
            .then(() => useMonitor.getState().loadPinned());
      }
      void refresh();
    });
  }, [refresh, applyJobEvent, role.known, role.role]);

  const pickFiles = async () => {
    const paths = await pickFilesOnDesktop();
    if (paths) enqueue(paths.map((path) => ({ kind: 'path' as const, path })));
    else fileInput.current?.click();
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    enqueue(files.map((file) => ({ kind: 'file' as const, file })));
  };

  if (role.role === 'annotator') {
    return (
      <div className="app">
        <header className="topbar">
          <span className="brand">Sift</span>
          <span className="mode-badge" data-testid="annotator-badge">
            labeling as {role.annotator}
          </span>
        </header>
        <main className="body">
          <LabelView />
        </main>
      </div>
    );
  }
  return (
    <div
      className={`app ${dragging ? 'dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(event) => event.currentTarget === event.target && setDragging(false)}
      onDrop={onDrop}
    >
      <header className="topbar">
        <span className="brand">Sift</span>
        <WorkspaceSwitcher />
        <nav className="tabs" aria-label="Views">
          {VIEWS.map((name) => (
            <button
              key={name}
              className={view === name ? 'active' : ''}
              onClick={() => setView(name)}
              data-testid={`tab-${name}`}
            >
              {name[0]!.toUpperCase() + name.slice(1)}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        {!isDesktop && (
          <span
            className="mode-badge"
            title="Sift is served to this browser by a local host process; the desktop app runs the same views in its own window"
          >
            browser mode
          </span>
        )}
        <button onClick={() => void pickFiles()} data-testid="import-button">
          Import…
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          multiple
          data-testid="file-input"
          accept=".csv,.tsv,.txt,.parquet,.json,.ndjson,.jsonl"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            enqueue(files.map((file) => ({ kind: 'file' as const, file })));
          }}
        />
      </header>
      {error && <div className="error-box">{error}</div>}
      {engineNotice && (
        <div className="error-box engine-notice" role="status" data-testid="engine-notice">
          {engineNotice}
          <button onClick={() => setEngineNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <main className="body">
        {view === 'explore' && (
          <>
            <SchemaBrowser
              onPickTable={(name) =>
                insertAtCursor(/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`)
              }
              onPreviewTable={(name) => void useExplore.getState().preview(name)}
            />
            <ExploreView />
          </>
        )}
        {view === 'reports' && <ReportsView />}
        {view === 'spikes' && <SpikeView />}
        {view === 'monitor' && <MonitorView />}
        {view === 'models' && <ModelsView />}
        {view === 'evaluate' && <EvalView />}
        {view === 'label' && <LabelView />}
      </main>
      <StatusBar />
      {imports[0] && (
        <ImportDialog
          key={imports[0].id}
          source={imports[0].source}
          onClose={() => setImports((queue) => queue.slice(1))}
        />
      )}
      {dragging && <div className="drop-hint">Drop files to import them</div>}
    </div>
  );
}
