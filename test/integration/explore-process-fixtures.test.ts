// explore() over two child processes sharing a JSON file (fixtures/counter/file-counter, JS and
// TS): the lost update is found at statement granularity on 10/10 seeds (20/20 in `npm run test:sweeps`) by random and PCT, and by
// exhaustive search; it replays; the append-only twin holds.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineScenario, explore, parseCounterexample, replay, thread, type StrategyName } from "interlace";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

/** Seeds of the random and PCT sweeps: `npm run test:sweeps` runs 20. */
const SEEDS = process.env.INTERLACE_FULL_SWEEPS === "1" ? 20 : 10;

checkNothingLeftAfterEachTest();

interface FileState {
  dir: string;
  counterPath: string;
  logPath: string;
}

function fileCounter(ext: "mjs" | "ts", fn: "increment" | "incrementAppend") {
  const module = new URL(`../../fixtures/counter/file-counter.${ext}`, import.meta.url);
  const tally = (s: FileState) => {
    const path = `${s.counterPath}.tally`;
    return existsSync(path) ? readFileSync(path, "utf8").length : 0;
  };
  return defineScenario<FileState>({
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), "interlace-file-counter-"));
      const counterPath = join(dir, "counter.json");
      writeFileSync(counterPath, JSON.stringify({ value: 0 }));
      return { dir, counterPath, logPath: join(dir, "log") };
    },
    threads: { p1: thread.process(module, fn, [1]), p2: thread.process(module, fn, [2]) },
    invariant: (s) => (fn === "increment" ? (JSON.parse(readFileSync(s.counterPath, "utf8")) as { value: number }).value === 2 : tally(s) === 2),
    teardown: (s) => rmSync(s.dir, { recursive: true, force: true }),
  });
}

describe.each(["mjs", "ts"] as const)("file counter over two processes (.%s)", (ext) => {
  // `npm run test:sweeps` runs 20 seeds; `npm test` 10.
  it.each(["random", "pct"] as StrategyName[])(`%s finds the lost update on ${SEEDS}/${SEEDS} seeds within 200 attempts`, async (strategy) => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await explore(fileCounter(ext, "increment"), { strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      // The lost update (invariant), or the torn read the same code has: writeFileSync truncates,
      // then writes, and the other process's JSON.parse can read the empty file (exception).
      expect(["invariant", "exception"], `seed ${seed}`).toContain(result.counterexample!.failure.kind);
    }
  });

  it("exhaustive search finds it; the counterexample replays 3/3 from its JSON", async () => {
    const result = await explore(fileCounter(ext, "increment"), { strategy: "exhaustive", reproduceOnFailure: 3 });
    expect(result.propertyHolds).toBe(false);
    expect(result.reproduced).toEqual({ failures: 3, attempts: 3 });
    expect(result.explanation).toMatch(new RegExp(`fixtures/counter/file-counter\\.${ext}:\\d+(:\\d+)?  `));
    const again = await replay(fileCounter(ext, "increment"), parseCounterexample(JSON.stringify(result.counterexample), "ce.json"), 3);
    expect(again.failures).toBe(3);
  });

  it("the append-only twin holds over 100 random and 100 PCT attempts", async () => {
    for (const strategy of ["random", "pct"] as StrategyName[]) {
      const result = await explore(fileCounter(ext, "incrementAppend"), { strategy, seed: 4, maxAttempts: 100 });
      expect(result).toMatchObject({ propertyHolds: true, numExplored: 100 });
    }
  });
});
