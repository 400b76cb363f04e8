// Small numeric and formatting helpers for the benchmark tables.
import { performance } from "node:perf_hooks";

/** Median of a list of numbers (NaN for an empty list). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A number with a sensible number of decimals for a table cell. */
export function num(value, decimals) {
  if (value === undefined || value === null || Number.isNaN(value)) return "—";
  const d = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "median (min–max)" of a list. */
export function spread(values, decimals) {
  if (values.length === 0) return "—";
  return `${num(median(values), decimals)} (${num(Math.min(...values), decimals)}–${num(Math.max(...values), decimals)})`;
}

/** A markdown table, columns padded so it also reads well in a terminal. */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.slice(1).map(line)].join("\n");
}

/**
 * µs per call of `fn(n)` (a loop of `n` calls), the median over `reps` timed batches after one
 * untimed batch: for micro-benchmarks of one operation.
 */
export function usPerCall(fn, n, reps = 7) {
  fn(n);
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    fn(n);
    samples.push(((performance.now() - start) * 1000) / n);
  }
  return median(samples);
}

/** A duration in µs with 2, 1 or 0 decimals as it grows. */
export function micros(us) {
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0);
}
