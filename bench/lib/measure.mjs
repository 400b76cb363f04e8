// Runs one measurement script in a node process of its own and returns the JSON it reports.
// Every process it starts carries a tag in its environment, so leftovers can be found afterwards.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RESULT_PREFIX } from "./script.mjs";

const TAG = `INTERLACE_BENCH_RUN=${process.pid}-${Date.now()}`;

/** How long a measurement process may take to exit after reporting before it is killed. */
export const EXIT_GRACE_MS = 3000;

/**
 * Runs bench/<script> with `args`; resolves with its result plus `wallS` (start → result) and
 * `lingered` (true if it had not exited EXIT_GRACE_MS after reporting and was killed), or with
 * `{ error }` if it reported nothing.
 */
export function measure(script, args = [], timeoutMs = 100_000) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const [key, value] = TAG.split("=");
  const child = spawn(process.execPath, [path, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [key]: value } });
  const t0 = performance.now();
  let stdout = "";
  let stderr = "";
  let result;
  let lingered = false;
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
  const timer = setTimeout(kill, timeoutMs);
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    stdout += chunk;
    const line = result ? undefined : stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX) && l.endsWith("}"));
    if (!line) return;
    result = { ...JSON.parse(line.slice(RESULT_PREFIX.length)), wallS: (performance.now() - t0) / 1000 };
    clearTimeout(timer);
    setTimeout(() => {
      lingered = child.exitCode === null && child.signalCode === null;
      kill();
    }, EXIT_GRACE_MS).unref();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result) return resolve({ ...result, lingered });
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const lines = stderr.trim().split("\n");
      const shown = lines.length > 12 ? [...lines.slice(0, 4), "...", ...lines.slice(-6)] : lines;
      resolve({ error: `${script} ${args.join(" ")}: ${why}\n${shown.join("\n")}`, wallS: (performance.now() - t0) / 1000 });
    });
  });
}

/** Processes still alive that a measurement started (Linux: read from /proc), as "pid command". */
export function leftovers() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const found = [];
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(TAG)) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim()}`);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}
