/** A plotly chart, loaded on first use (the bundle is large) from the CSP-safe "strict" build. */
import type { Config, Data, Layout, PlotMouseEvent } from 'plotly.js';
import { useEffect, useRef } from 'react';

type PlotlyModule = typeof import('plotly.js-strict-dist-min');
/** The chart toolbar (modebar) is drawn in the top margin's right corner: a smaller top margin puts it over the data and ticks. */
const TOOLBAR_ROOM_PX = 36;
let plotly: Promise<PlotlyModule> | null = null;
const loadPlotly = () => (plotly ??= import('plotly.js-strict-dist-min'));

interface Props {
  data: Data[];
  layout: Partial<Layout>;
  onClick?(event: PlotMouseEvent): void;
  /** Called when the user drags an editable shape (a threshold line): relayout's changed keys. */
  onRelayout?(update: Record<string, unknown>): void;
  editableShapes?: boolean;
  testId?: string;
  height?: number;
}

/** Saves a drawn chart as an image file (a download in the browser; Electron asks where to save it). */
export async function downloadPlot(element: HTMLElement, format: 'png' | 'svg', filename: string): Promise<void> {
  const Plotly = await loadPlotly();
  await Plotly.downloadImage(element, {
    format,
    filename,
    width: element.clientWidth || 1000,
    height: element.clientHeight || 500,
  });
}

export function Plot({ data, layout, onClick, onRelayout, editableShapes = false, testId, height = 320 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const clickHandler = useRef(onClick);
  clickHandler.current = onClick;
  const relayoutHandler = useRef(onRelayout);
  relayoutHandler.current = onRelayout;

  useEffect(() => {
    let cancelled = false;
    void loadPlotly().then((Plotly) => {
      if (cancelled || !host.current) return;
      const config: Partial<Config> = {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ['lasso2d', 'select2d'],
        ...(editableShapes ? { edits: { shapePosition: true } } : {}),
      };
      const margin = { l: 50, r: 20, b: 40, ...layout.margin, t: Math.max(layout.margin?.t ?? 0, TOOLBAR_ROOM_PX) };
      void Plotly.react(host.current, data, { height, ...layout, margin }, config).then((element) => {
        const plotElement = element as unknown as {
          removeAllListeners?(event: string): void;
          on(event: string, handler: (event: never) => void): void;
        };
        plotElement.removeAllListeners?.('plotly_click');
        plotElement.removeAllListeners?.('plotly_relayout');
        plotElement.on('plotly_click', (event: PlotMouseEvent) => clickHandler.current?.(event));
        plotElement.on('plotly_relayout', (update: Record<string, unknown>) => relayoutHandler.current?.(update));
        host.current?.setAttribute('data-rendered', 'true');
      });
    });
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, editableShapes]);

  useEffect(() => {
    const element = host.current;
    return () => {
      if (element) void loadPlotly().then((Plotly) => Plotly.purge(element));
    };
  }, []);

  // The box keeps the chart's height: plotly's responsive refit after a window resize sizes the chart to its box, and a
  // box with no height of its own collapsed a chart redrawn later (new data) to nothing, spilling over the next card.
  return <div ref={host} className="plot" style={{ height }} data-testid={testId} />;
}
