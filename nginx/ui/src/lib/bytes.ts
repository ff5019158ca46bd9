import { DASH } from "./format";

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Bytes in powers of 1000, as STORAGE_BUDGET's GB: "1.5 GB", "820 kB", "12 B". */
export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  let size = Math.max(0, value);
  let unit = 0;
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || size >= 100 ? 0 : size >= 10 ? 1 : 2;
  return `${size.toFixed(digits)} ${UNITS[unit]}`;
}
