/**
 * Small helpers shared by the integration tests of fixtures/errors/: where a fixture is, which
 * line of it holds some text, a sink for thread output, and typed rejections.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { InterlaceError, ThreadError, TraceExecutor, thread, type ThreadSpec } from "interlace";
import { expectNothingLeft, takeBaseline, type LeakBaseline } from "./leaks.js";

const FIXTURES = new URL("../../fixtures/errors/", import.meta.url);

/** `file:` URL of fixtures/errors/<name>. */
export function fixture(name: string): URL {
  return new URL(name, FIXTURES);
}

/** The two isolate kinds most tests run under. */
export const KINDS = ["worker", "process"] as const;
export type Kind = (typeof KINDS)[number];

/** A thread of either kind running `exportName` of fixtures/errors/<file>. */
export function spec(kind: Kind, file: string, exportName: string, args: unknown[] = []): ThreadSpec {
  return kind === "worker" ? thread.worker(fixture(file), exportName, args) : thread.process(fixture(file), exportName, args);
}

/** Executor options: a timeout (generous unless a test expects one) and captured thread output. */
export function runOptions(timeout = 20_000): { timeout: number } & CapturedOutput {
  return { timeout, ...captureOutput() };
}

/** Absolute path of fixtures/errors/<name>. */
export function fixturePath(name: string): string {
  return fileURLToPath(fixture(name));
}

/** fixtures/errors/<name> as interlace shows it: relative to the working directory when inside it. */
export function shownPath(name: string): string {
  const rel = relative(process.cwd(), fixturePath(name));
  return rel.startsWith("..") || isAbsolute(rel) ? fixturePath(name) : rel;
}

/** 1-based line of the only line of a fixture containing `needle` (computed, never hard-coded). */
export function lineOf(name: string, needle: string): number {
  const lines = readFileSync(fixture(name), "utf8").split("\n");
  const hits = lines.flatMap((line, i) => (line.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${name}: expected exactly one line with ${JSON.stringify(needle)}, found ${hits.length}`);
  return hits[0]!;
}

const tempDirs: string[] = [];

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "interlace-errors-"));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir} (call in afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Collects what threads print, so expected noise (e.g. Node's "Waiting for the debugger") stays out of test output. */
export interface CapturedOutput {
  stdout: Writable;
  stderr: Writable;
  text(): string;
}

export function captureOutput(): CapturedOutput {
  let text = "";
  const sink = (): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString("utf8");
        done();
      },
    });
  return { stdout: sink(), stderr: sink(), text: () => text };
}

/** Awaits a run that must reject with an error of class `type`; returns the error, typed. */
export async function rejection<E extends InterlaceError>(run: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let outcome: { resolved: unknown } | { rejected: unknown };
  try {
    outcome = { resolved: await run };
  } catch (error) {
    outcome = { rejected: error };
  }
  if (!("rejected" in outcome)) throw new Error(`expected a ${type.name}, but the run resolved with ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.rejected).toBeInstanceOf(type);
  return outcome.rejected as E;
}

/** Calls a function that must throw an error of class `type` synchronously; returns it, typed. */
export function thrown<E extends InterlaceError>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected ${type.name} to be thrown synchronously`);
}

/** Milliseconds `fn` took, with its rejection (or resolution) value. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/**
 * One run of each launch path (JS workers, a TypeScript worker through tsx, a process) so lazily
 * created threads exist, then the leak baseline.
 */
export async function warmUpAndTakeBaseline(): Promise<LeakBaseline> {
  const output = captureOutput();
  const counter = fixture("counter.mjs");
  await new TraceExecutor("t1:read t2:read", { timeout: 30_000, ...output }).run({
    setup: () => ({ counter: new Int32Array(new SharedArrayBuffer(4)) }),
    threads: { t1: thread.worker(counter, "bump"), t2: thread.worker(counter, "bump") },
  });
  const dir = tempDir();
  await new TraceExecutor("p1:first", { timeout: 30_000, ...output }).run({
    setup: () => ({ file: join(dir, "journal.txt") }),
    threads: { p1: thread.process(fixture("journal.mjs"), "record", ["p1"]) },
  });
  await rejection(
    new TraceExecutor("t1:go", { timeout: 30_000, ...output }).run({ threads: { t1: thread.worker(fixture("throws.ts"), "overdraw", [5]) } }),
    ThreadError,
  );
  return takeBaseline();
}

/**
 * Registers a test file's leak checks: a baseline after one warm-up run of each launch path,
 * nothing left behind after every test, temporary directories removed at the end.
 */
export function checkNothingLeftAfterEachTest(): void {
  let baseline: LeakBaseline;
  beforeAll(async () => {
    baseline = await warmUpAndTakeBaseline();
  });
  afterEach(async () => {
    await expectNothingLeft(baseline);
  });
  afterAll(() => removeTempDirs());
}
