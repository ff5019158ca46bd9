// Pure helpers of the monitoring charts (axes, ticks, time labels), kept apart to be unit tested.

/** 0 and three or four evenly spaced "nice" ticks (1, 2, 2.5, 5 × 10^k) reaching at least `max`
 * (`integers`: whole steps only, for counts). */
export function niceTicks(max: number, count = 4, integers = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = integers ? Math.max(1, max / count) : max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw && (!integers || Number.isInteger(s))) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

export function formatTick(value: number, format: (v: number) => string): string {
  return value === 0 ? "0" : format(value);
}

const pad = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function hm(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function dayMonth(d: Date): string {
  return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

const MIN = 60e3;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];
const DAY_STEPS = [1, 2, 7, 14, 30];

/** X-axis ticks for [t0, t1) at round local times (whole hours, midnights...), at most `max`
 * of them, each with its label: a time of day, or the date at midnight. */
export function timeTicks(t0: number, t1: number, max: number): { t: number; label: string }[] {
  const span = t1 - t0;
  if (!(span > 0) || max < 1) return [];
  const want = span / max;
  const ticks: { t: number; label: string }[] = [];
  const step = STEPS.find((s) => s >= want);
  if (step !== undefined) {
    const offset = -new Date(t0).getTimezoneOffset() * MIN; // local time, as of the window's start
    for (let t = Math.ceil((t0 + offset) / step) * step - offset; t < t1; t += step) {
      const d = new Date(t);
      ticks.push({ t, label: d.getHours() === 0 && d.getMinutes() === 0 ? dayMonth(d) : hm(d) });
    }
    return ticks;
  }
  const days = DAY_STEPS.find((n) => n * DAY >= want) ?? Math.ceil(want / DAY);
  const d = new Date(t0);
  d.setHours(0, 0, 0, 0);
  if (d.getTime() < t0) d.setDate(d.getDate() + 1);
  // Multi-day steps land on fixed days of the month (1, 8, 15...) or every other day, not on t0's.
  while (days > 1 && days < 30 && (d.getDate() - 1) % days !== 0) d.setDate(d.getDate() + 1);
  while (days >= 30 && d.getDate() !== 1) d.setDate(d.getDate() + 1);
  for (; d.getTime() < t1; d.setDate(d.getDate() + (days >= 30 ? 0 : days))) {
    ticks.push({ t: d.getTime(), label: dayMonth(d) });
    if (days >= 30) d.setMonth(d.getMonth() + 1);
  }
  return ticks;
}

/** "5 Oct 14:00–14:30" (local time); day buckets read "5 Oct". */
export function formatBucketRange(startMs: number, intervalSeconds: number): string {
  const start = new Date(startMs);
  const end = new Date(startMs + intervalSeconds * 1000);
  if (intervalSeconds >= 86400 && start.getHours() === 0 && start.getMinutes() === 0) {
    return intervalSeconds === 86400 ? dayMonth(start) : `${dayMonth(start)} – ${dayMonth(new Date(end.getTime() - 1))}`;
  }
  const sameDay = start.toDateString() === end.toDateString() || (end.getHours() === 0 && end.getMinutes() === 0);
  return sameDay
    ? `${dayMonth(start)} ${hm(start)}–${hm(end)}`
    : `${dayMonth(start)} ${hm(start)} – ${dayMonth(end)} ${hm(end)}`;
}

/** Short numbers for axes: 1.2k, 3.4M. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(abs < 1 ? 2 : 1)}`;
}

/** "5 Oct 09:00 – 6 Oct 09:00" (local time). */
export function formatWindow(startMs: number, endMs: number): string {
  const a = new Date(startMs);
  const b = new Date(endMs);
  return `${dayMonth(a)} ${hm(a)} – ${dayMonth(b)} ${hm(b)}`;
}
