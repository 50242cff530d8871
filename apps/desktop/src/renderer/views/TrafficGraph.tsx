// The live traffic graph while connected: receive and send rates over the last minute (uPlot on a
// canvas), themed from the stylesheet's colours, with the same figures in words beside it.
import { useEffect, useRef, type ReactNode } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatRate, TRAFFIC_WINDOW_MS, trafficSummary, type TrafficSample } from '../model/traffic';
import { useApp } from '../store/store-context';

const HEIGHT_PX = 132;

function cssColour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The chart needs matchMedia (uPlot reads the pixel ratio with it); where it is missing (jsdom, no
 * layout at all) the words alone are shown. */
function canDraw(): boolean {
  return typeof (window as Partial<Window>).matchMedia === 'function';
}

function plotData(samples: readonly TrafficSample[], nowMs: number): uPlot.AlignedData {
  const xs = samples.map((sample) => (sample.atMs - nowMs) / 1000);
  return [xs, samples.map((sample) => sample.rxRate), samples.map((sample) => sample.txRate)];
}

function plotOptions(width: number): uPlot.Options {
  const muted = cssColour('--text-muted', '#566474');
  const grid = cssColour('--border', '#d3d9e1');
  const axis = {
    stroke: muted,
    grid: { stroke: grid, width: 1 },
    ticks: { show: false },
    font: '11px system-ui',
  };
  return {
    width,
    height: HEIGHT_PX,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: false, range: [-TRAFFIC_WINDOW_MS / 1000, 0] },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1024)] },
    },
    axes: [
      { ...axis, values: (_u, ticks) => ticks.map((t) => (t === 0 ? 'now' : `${Math.round(t)} s`)) },
      { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => formatRate(t)) },
    ],
    series: [
      {},
      {
        label: 'Down',
        stroke: cssColour('--safe', '#237a37'),
        width: 2,
        fill: `${cssColour('--safe', '#237a37')}22`,
      },
      { label: 'Up', stroke: cssColour('--focus', '#1f63d6'), width: 2 },
    ],
  };
}

export function TrafficGraph(): ReactNode {
  const samples = useApp((s) => s.traffic.samples);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const latest = useRef(samples);
  latest.current = samples;

  // One chart per colour scheme: made on mount and again when the theme changes. The chart library is
  // loaded only here, so a window that is never connected does not load it.
  useEffect(() => {
    const element = host.current;
    if (!element || !canDraw()) return undefined;
    let stopped = false;
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    let make = (): void => undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (stopped) return;
      make = (): void => {
        plot.current?.destroy();
        const width = Math.max(element.clientWidth, 240);
        plot.current = new UPlot(plotOptions(width), plotData(latest.current, Date.now()), element);
      };
      make();
      scheme.addEventListener('change', make);
    });
    return () => {
      stopped = true;
      scheme.removeEventListener('change', make);
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(plotData(samples, Date.now()), true);
  }, [samples]);

  const summary = trafficSummary(samples);
  const now = samples.at(-1);
  return (
    <section className="traffic" aria-labelledby="traffic-heading">
      <div className="traffic-head">
        <h2 id="traffic-heading" className="section-title">
          Traffic
        </h2>
        {now && (
          <p className="traffic-now" aria-hidden="true">
            <span className="traffic-down">↓ {formatRate(now.rxRate)}</span>
            <span className="traffic-up">↑ {formatRate(now.txRate)}</span>
          </p>
        )}
      </div>
      <div
        ref={host}
        className="traffic-plot"
        role="img"
        aria-label={`Traffic over the last minute. ${summary}`}
        data-samples={samples.length}
      />
      <p className="visually-hidden">{summary}</p>
    </section>
  );
}
