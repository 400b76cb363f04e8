/** Scenario builders shared by the integration tests. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineScenario, thread, type ThreadSpec } from "interlace";

/** State of the SharedArrayBuffer counter fixtures: cells[0] = value, cells[1] = log length. */
export interface SabState {
  cells: Int32Array;
  log: Int32Array;
}

export const fixture = (path: string): URL => new URL(`../../fixtures/${path}`, import.meta.url);

/** Two worker threads `t1`, `t2` calling `exportName(state, id, ...extra)` of a counter module. */
export function sabCounter(module: URL, exportName: string, extra: unknown[] = []) {
  return defineScenario<SabState>({
    setup: () => ({
      cells: new Int32Array(new SharedArrayBuffer(8)),
      log: new Int32Array(new SharedArrayBuffer(4 * 32)),
    }),
    threads: {
      t1: thread.worker(module, exportName, [1, ...extra]),
      t2: thread.worker(module, exportName, [2, ...extra]),
    },
  });
}

/** The operations recorded by the counter fixtures, in order: id * 10 + (1 read | 2 write). */
export function opsOf(state: SabState): number[] {
  return [...state.log.slice(0, state.cells[1])];
}

export interface FileState {
  dir: string;
  counterPath: string;
  logPath: string;
}

/** Two threads `p1`, `p2` of the given kind sharing a counter file. */
export function fileCounter(module: URL, exportName: string, make: (m: URL, e: string, a: unknown[]) => ThreadSpec = thread.process) {
  return defineScenario<FileState>({
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), "interlace-test-"));
      const state = { dir, counterPath: join(dir, "counter.json"), logPath: join(dir, "log.txt") };
      writeFileSync(state.counterPath, JSON.stringify({ value: 0 }));
      writeFileSync(state.logPath, "");
      return state;
    },
    threads: { p1: make(module, exportName, [1]), p2: make(module, exportName, [2]) },
    teardown: (s) => rmSync(s.dir, { recursive: true, force: true }),
  });
}

/** Reads the value and the log of a file counter (call it from the invariant: teardown removes the files). */
export function readFileCounter(state: FileState): { value: number; ops: string[] } {
  const { value } = JSON.parse(readFileSync(state.counterPath, "utf8")) as { value: number };
  return { value, ops: readFileSync(state.logPath, "utf8").split("\n").filter(Boolean) };
}

/** 1-based line of the first line of `file` containing `snippet`. */
export function lineOf(file: URL, snippet: string): number {
  const index = readFileSync(fileURLToPath(file), "utf8").split(/\r?\n/).findIndex((l) => l.includes(snippet));
  if (index < 0) throw new Error(`${snippet} not found in ${file.pathname}`);
  return index + 1;
}
