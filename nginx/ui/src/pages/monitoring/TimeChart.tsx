import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { formatBucketRange, formatTick, niceTicks, timeTicks } from "./chartMath";

export interface ChartSeries {
  key: string;
  label: string;
  color: string; // any CSS colour, CSS variables included
  values: (number | null)[];
}

export interface TimeChartProps {
  title: string;
  /** Bucket starts (ms since the epoch), one per value of every series. */
  times: number[];
  intervalSeconds: number;
  series: ChartSeries[];
  /** "bar": series stacked in bars; "line": one line per series, gaps where a value is null. */
  kind: "bar" | "line";
  /** Formats a value for the tooltip and the data table. */
  format: (value: number | null) => string;
  /** Formats a y-axis tick (defaults to `format`). */
  formatAxis?: (value: number) => string;
  /** One sentence for screen readers, e.g. "412 traces, peak 31 at 14:00". */
  summary: string;
  /** Whole-number y ticks (counts). */
  integers?: boolean;
  /** A floor for the y-axis maximum (e.g. 0.05 for an error rate, so 0% is not full height). */
  minMax?: number;
  height?: number;
}

const MARGIN = { top: 8, right: 10, bottom: 22, left: 52 };

/** A small, dependency-free SVG time chart: stacked bars or lines, axis labels, a hover and
 * keyboard tooltip per bucket, and the data as a visually hidden table. */
export function TimeChart({
  title,
  times,
  intervalSeconds,
  series,
  kind,
  format,
  formatAxis = (v) => format(v),
  summary,
  integers = false,
  minMax = 0,
  height = 170,
}: TimeChartProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(520);
  const [active, setActive] = useState<number | null>(null);
  const tableId = useId();

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const n = times.length;
  const plotW = Math.max(1, width - MARGIN.left - MARGIN.right);
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const band = n ? plotW / n : plotW;

  const peak = Math.max(
    minMax,
    ...times.map((_, i) =>
      kind === "bar"
        ? series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
        : Math.max(0, ...series.map((s) => s.values[i] ?? 0)),
    ),
  );
  const ticks = niceTicks(peak, 4, integers);
  const top = ticks[ticks.length - 1] || 1;
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  const cx = (i: number) => MARGIN.left + band * i + band / 2;

  // Time → x: bucket i covers [times[i], times[i] + interval), drawn over its band.
  const t0 = n ? times[0] : 0;
  const tx = (t: number) => MARGIN.left + ((t - t0) / (intervalSeconds * 1000)) * band;
  const xTicks = n ? timeTicks(t0, times[n - 1] + intervalSeconds * 1000, Math.max(2, Math.floor(plotW / 72))) : [];

  function onMove(event: MouseEvent<SVGSVGElement>) {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * width - MARGIN.left;
    if (x < 0 || x > plotW || !n) return setActive(null);
    setActive(Math.min(n - 1, Math.max(0, Math.floor(x / band))));
  }

  function onKey(event: KeyboardEvent<SVGSVGElement>) {
    if (!n) return;
    const current = active ?? n - 1;
    const next =
      event.key === "ArrowLeft"
        ? Math.max(0, current - 1)
        : event.key === "ArrowRight"
          ? Math.min(n - 1, current + 1)
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? n - 1
              : event.key === "Escape"
                ? null
                : undefined;
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
  }

  const tooltipLeft = active === null ? 0 : cx(active);
  const flip = tooltipLeft > width * 0.6;

  return (
    <div className="chart" ref={wrapRef}>
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.key}>
              <span className="chart-swatch" style={{ background: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <svg
        className="chart-svg"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${summary}. Use the arrow keys to read each bucket.`}
        aria-describedby={tableId}
        tabIndex={0}
        onMouseMove={onMove}
        onMouseLeave={() => setActive(null)}
        onKeyDown={onKey}
        onFocus={() => setActive((a) => a ?? (n ? n - 1 : null))}
        onBlur={() => setActive(null)}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line className="chart-gridline" x1={MARGIN.left} x2={MARGIN.left + plotW} y1={y(t)} y2={y(t)} />
            <text className="chart-tick" x={MARGIN.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {formatTick(t, formatAxis)}
            </text>
          </g>
        ))}
        {xTicks.map(({ t, label }) => (
          <g key={t}>
            <line className="chart-xtick" x1={tx(t)} x2={tx(t)} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH + 4} />
            <text className="chart-tick" x={tx(t)} y={height - 6} textAnchor="middle">
              {label}
            </text>
          </g>
        ))}
        {active !== null && (
          <rect
            className="chart-hover"
            x={MARGIN.left + band * active}
            y={MARGIN.top}
            width={band}
            height={plotH}
          />
        )}
        {kind === "bar" ? <Bars {...{ times, series, band, cx, y }} /> : <Lines {...{ series, cx, y, active }} />}
        <line
          className="chart-axis"
          x1={MARGIN.left}
          x2={MARGIN.left + plotW}
          y1={MARGIN.top + plotH}
          y2={MARGIN.top + plotH}
        />
      </svg>
      {active !== null && (
        <div
          className="chart-tooltip"
          role="presentation"
          style={flip ? { right: width - tooltipLeft + 10 } : { left: tooltipLeft + 10 }}
        >
          <div className="chart-tooltip-time">{formatBucketRange(times[active], intervalSeconds)}</div>
          {series.map((s) => (
            <div key={s.key} className="chart-tooltip-row">
              <span className="chart-swatch" style={{ background: s.color }} />
              <span>{s.label}</span>
              <strong>{format(s.values[active])}</strong>
            </div>
          ))}
        </div>
      )}
      {/* The chart's numbers for screen readers. In a div.sr-only, not a table.sr-only: a table
          ignores the 1 px height and would stretch the page by its rows. */}
      <div className="sr-only">
      <table id={tableId}>
        <caption>{title} per bucket</caption>
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            {series.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {times.map((t, i) => (
            <tr key={t}>
              <th scope="row">{formatBucketRange(t, intervalSeconds)}</th>
              {series.map((s) => (
                <td key={s.key}>{format(s.values[i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}

function Bars({
  times,
  series,
  band,
  cx,
  y,
}: {
  times: number[];
  series: ChartSeries[];
  band: number;
  cx: (i: number) => number;
  y: (v: number) => number;
}) {
  const barW = Math.max(1, Math.min(band * 0.72, band - 1));
  return (
    <g>
      {times.map((t, i) => {
        let base = 0;
        return series.map((s) => {
          const v = s.values[i] ?? 0;
          if (v <= 0) return null;
          const y0 = y(base);
          base += v;
          const y1 = y(base);
          return (
            <rect
              key={`${t}-${s.key}`}
              x={cx(i) - barW / 2}
              y={y1}
              width={barW}
              height={Math.max(1, y0 - y1)}
              style={{ fill: s.color }}
            />
          );
        });
      })}
    </g>
  );
}

function Lines({
  series,
  cx,
  y,
  active,
}: {
  series: ChartSeries[];
  cx: (i: number) => number;
  y: (v: number) => number;
  active: number | null;
}) {
  return (
    <g>
      {series.map((s) => {
        let d = "";
        const lonely: number[] = [];
        s.values.forEach((v, i) => {
          if (v === null) return;
          const prev = i > 0 ? s.values[i - 1] : null;
          const next = i < s.values.length - 1 ? s.values[i + 1] : null;
          d += `${prev === null ? "M" : "L"}${cx(i).toFixed(1)},${y(v).toFixed(1)}`;
          if (prev === null && next === null) lonely.push(i);
        });
        const activeValue = active === null ? null : s.values[active];
        return (
          <g key={s.key}>
            <path d={d} className="chart-line" style={{ stroke: s.color }} />
            {lonely.map((i) => (
              <circle key={i} cx={cx(i)} cy={y(s.values[i] ?? 0)} r={2.5} style={{ fill: s.color }} />
            ))}
            {active !== null && activeValue !== null && activeValue !== undefined && (
              <circle
                className="chart-dot"
                cx={cx(active)}
                cy={y(activeValue)}
                r={4}
                style={{ stroke: s.color }}
              />
            )}
          </g>
        );
      })}
    </g>
  );
}
