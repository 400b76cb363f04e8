/**
 * Fault injection: the controller (`interlace explore`) is killed mid-exploration with SIGINT,
 * SIGTERM and SIGKILL, for worker, process and task threads. On SIGINT/SIGTERM it stops after the
 * run in progress, runs teardown, prints the partial result and exits 130/143; a second signal
 * exits at once; after any of them, SIGKILL included, no process of the run is left (process
 * threads end themselves when their controller channel closes). The census finds every process
 * that inherited this test's marker variable, whoever its parent is now; interlace opens no TCP
 * port for its threads, so with no process left no port is held either.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Pids of live processes whose environment holds `marker`. */
function marked(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(marker)) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

async function until(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Attempt folders whose teardown did not run. */
  leftFolders: string[];
  marker: string;
}

/** Starts an endless exploration of `kind` threads, lets it run 3 attempts, sends `signals`. */
async function interrupt(kind: "worker" | "process" | "task", signals: NodeJS.Signals[], env: Record<string, string> = {}): Promise<Outcome & { ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), "interlace-signals-"));
  dirs.push(dir);
  const marker = `INTERLACE_SIGNALS_DIR=${dir}`;
  const child = spawn(process.execPath, ["bin/interlace.js", "explore", "fixtures/signals/scenario.mjs", "--strategy", "random", "--seed", "1", "--max-attempts", "100000"], {
    cwd: root,
    env: { ...process.env, INTERLACE_SIGNALS_DIR: dir, INTERLACE_SIGNALS_KIND: kind, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  try {
    const started = join(dir, "started");
    await until("three attempts", () => existsSync(started) && Number(readFileSync(started, "utf8")) >= 3);
    const t0 = Date.now();
    for (const [i, signal] of signals.entries()) {
      // Two signals at once would be one: the kernel keeps one pending signal of each kind.
      if (i > 0) await sleep(100);
      child.kill(signal);
    }
    const { code, signal } = await Promise.race([exited, sleep(30_000).then(() => Promise.reject(new Error(`still running 30 s after ${signals.join(", ")}\n${stderr}`)))]);
    const leftFolders = readdirSync(dir).filter((name) => name.startsWith("attempt-"));
    return { code, signal, stdout, stderr, leftFolders, marker, ms: Date.now() - t0 };
  } finally {
    child.kill("SIGKILL");
  }
}

describe.each(["worker", "process", "task"] as const)("interlace explore over %s threads, interrupted", (kind) => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s: stops after the run in progress, runs teardown, prints the partial result, exits %i", async (signal, exitCode) => {
    const out = await interrupt(kind, [signal]);

    expect(out.stderr).toContain(`interlace: ${signal}: stopping after the attempt in progress`);
    expect(out.code).toBe(exitCode);
    expect(out.stdout).toMatch(/✓ property holds over \d+ interleavings? \(random, seed 1\)\nnote: stopped early, it was interrupted, after \d+ runs? of 100000: not a proof/);
    expect(out.stdout).not.toContain("search complete");
    expect(out.leftFolders).toEqual([]);
    await until("no process of the run left", () => marked(out.marker).length === 0, 5_000);
  });

  it("SIGKILL: no process of the run outlives the controller", async () => {
    const out = await interrupt(kind, ["SIGKILL"]);

    expect(out.signal).toBe("SIGKILL");
    await until(`no process of the run left (left: ${marked(out.marker).join(", ")})`, () => marked(out.marker).length === 0, 5_000);
  });
});

describe.each(["worker", "process", "task"] as const)("interlace run over %s threads, interrupted while they run", (kind) => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s: stops the run, runs teardown, says so, exits %i, leaves no process", async (signal, exitCode) => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-signals-"));
    dirs.push(dir);
    const marker = `INTERLACE_SIGNALS_DIR=${dir}`;
    const child = spawn(process.execPath, ["bin/interlace.js", "run", "fixtures/signals/run-scenario.mjs", "--schedule", "a:done b:done", "--timeout", "120000"], {
      cwd: root,
      env: { ...process.env, INTERLACE_SIGNALS_DIR: dir, INTERLACE_SIGNALS_KIND: kind },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      // The schedule lets one thread run at a time: the first one runs (waiting before its marker).
      const running = (): string[] => (existsSync(join(dir, "run-1")) ? readdirSync(join(dir, "run-1")) : []);
      await until("the first thread running", () => running().length >= 1);
      child.kill(signal);
      const code = await Promise.race([exited, sleep(30_000).then(() => Promise.reject(new Error(`still running 30 s after ${signal}\n${stderr}`)))]);

      expect(stderr).toContain(`interlace: ${signal}: stopping`);
      expect(stderr).toContain("interlace: E_INTERRUPTED: The run was interrupted");
      expect(code).toBe(exitCode);
      expect(existsSync(join(dir, "run-1")), "teardown removed the run's folder").toBe(false);
      await until("no process of the run left", () => marked(marker).length === 0, 5_000);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("a CLI whose parent process dies (its output pipes close)", () => {
  it("interlace debug ends its session, runs teardown and leaves no process (it used to hang on an unhandled EPIPE)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-signals-"));
    dirs.push(dir);
    const marker = `INTERLACE_SIGNALS_DIR=${dir}`;
    // The parent starts the session on pipes, waits for its first screen, then exits without a word.
    const parent = `
      const { spawn } = require("node:child_process");
      const child = spawn(process.execPath, ["bin/interlace.js", "debug", "examples/bank/scenario.ts"], { stdio: ["pipe", "pipe", "pipe"], detached: true });
      child.stdout.once("data", () => { console.log(child.pid); process.exit(0); });`;
    const run = spawnSync(process.execPath, ["-e", parent], { cwd: root, env: { ...process.env, INTERLACE_SIGNALS_DIR: dir }, encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(Number(run.stdout.trim())).toBeGreaterThan(0);
    await until(`no process of the session left (left: ${marked(marker).join(", ")})`, () => marked(marker).length === 0, 20_000);
  });
});

describe("a second signal", () => {
  it("exits at once, without waiting for the run in progress", async () => {
    // The third attempt's teardown takes 20 s: the first signal waits for it, the second does not.
    const out = await interrupt("process", ["SIGINT", "SIGINT"], { INTERLACE_SIGNALS_SLOW_TEARDOWN_MS: "20000" });

    expect(out.code).toBe(130);
    expect(out.ms).toBeLessThan(15_000);
    expect(out.stderr).toContain("interlace: SIGINT again: exiting now, without teardown");
    await until("no process of the run left", () => marked(out.marker).length === 0, 5_000);
  });
});

describe("interlace explore --time-budget", () => {
  it("stops once the time is spent, runs teardown, and says the pass is not a proof (exit 0)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-signals-"));
    dirs.push(dir);
    const run = spawnSync(process.execPath, ["bin/interlace.js", "explore", "fixtures/signals/scenario.mjs", "--strategy", "random", "--max-attempts", "100000", "--time-budget", "2s", "--json"], {
      cwd: root,
      env: { ...process.env, INTERLACE_SIGNALS_DIR: dir, INTERLACE_SIGNALS_KIND: "task" },
      encoding: "utf8",
      timeout: 60_000,
    });

    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { interrupted: string; searchComplete: boolean; numExplored: number };
    expect(report).toMatchObject({ interrupted: "time budget", searchComplete: false });
    expect(report.numExplored).toBeGreaterThan(0);
    expect(report.numExplored).toBeLessThan(100_000);
    expect(readdirSync(dir).filter((name) => name.startsWith("attempt-"))).toEqual([]);
  });

  it("rejects a duration it cannot read (exit 2)", () => {
    const run = spawnSync(process.execPath, ["bin/interlace.js", "explore", "fixtures/signals/scenario.mjs", "--time-budget", "soon"], { cwd: root, encoding: "utf8" });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('interlace: E_USAGE: --time-budget takes a duration such as 90s, 5m or 1500ms (a bare number is seconds), got "soon".');
  });
});
