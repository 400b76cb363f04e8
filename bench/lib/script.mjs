// Helpers for the measurement scripts. Each script runs in a node process of its own, started by
// run.mjs (so one measurement cannot warm or disturb another), and reports one JSON line.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULT_PREFIX = "@@bench ";

/** The dist/ under test: run.mjs passes a private copy; standalone, the work tree's. */
export const DIST = process.env.INTERLACE_BENCH_DIST ?? new URL("../../dist/", import.meta.url).href;

/** interlace's public API, from {@link DIST}. */
export function loadInterlace() {
  return import(new URL("index.js", DIST).href);
}

/** The loop program of the cycle benchmarks and the 0-based line of its `tick` marker. */
export const TICKER_URL = new URL("../targets/ticker.mjs", import.meta.url);
export const TICK_LINE = markerLine(TICKER_URL, "tick");

/** Reports the script's result to run.mjs. */
export function emit(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** `--name=value` from the command line as an integer. */
export function intArg(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number.parseInt(arg.slice(name.length + 3), 10) : fallback;
}

/** Ends the script (after `cleanup`) if it has not finished within `ms`; returns the disarm function. */
export function watchdog(ms, cleanup) {
  const timer = setTimeout(async () => {
    console.error(`benchmark timed out after ${ms} ms`);
    try {
      await cleanup?.();
    } finally {
      process.exit(2);
    }
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Resolves once the child has exited; kills it if it is still there after `graceMs`. */
export async function reap(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** 0-based line of the `// interlace: name` marker in a file. */
export function markerLine(url, name) {
  const lines = readFileSync(fileURLToPath(url), "utf8").split("\n");
  const index = lines.findIndex((line) => line.includes(`// interlace: ${name}`));
  if (index < 0) throw new Error(`no marker "${name}" in ${url}`);
  return index;
}
