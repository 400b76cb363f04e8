// explore() over fixtures/explore/workers: classic races between worker threads over a
// SharedArrayBuffer (atomicity violation, check-then-act, lazy initialisation, order violation,
// bank transfer), a lost wakeup with Atomics.wait/notify and a deadlock between two Atomics locks,
// each in JavaScript and TypeScript, each with a safe twin. Decisions are taken at every statement
// of the fixtures; the isolates are reused across attempts.
import { describe, expect, it } from "vitest";
import { defineScenario, explore, parseCounterexample, replay, thread, type FailureKind, type Scenario, type StrategyName } from "interlace";
import { workerRaces } from "../../fixtures/explore/workers/races.mjs";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

interface Race {
  name: string;
  kind: FailureKind;
  message: RegExp;
  make: (ext: "mjs" | "ts", safe: boolean) => Scenario<unknown>;
}

const RACES = workerRaces({ defineScenario, thread }) as Race[];
const CASES = RACES.flatMap((race) => (["mjs", "ts"] as const).map((ext) => ({ ...race, ext, label: `${race.name} (.${ext})` })));
// `npm test` runs a lighter sweep to keep CI short; `npm run test:sweeps` (INTERLACE_FULL_SWEEPS=1)
// runs the full one: 20 seeds on every .mjs fixture (3 on .ts), 5 portfolio seeds, 200 attempts on
// every safe twin, 3 reproductions and 5 replays of every exhaustive counterexample (the light one:
// 5 seeds (2 on .ts), 3 portfolio seeds, 100 attempts on the .mjs twins and 40 on the .ts ones, 1
// reproduction and 2 replays for the .ts fixtures, which add only tsx's start-up).
const FULL = process.env.INTERLACE_FULL_SWEEPS === "1";
const SEEDS = Array.from({ length: FULL ? 20 : 5 }, (_, i) => i + 1);
/** The TypeScript twins (the same code through tsx): fewer seeds. */
const TS_SEEDS = SEEDS.slice(0, FULL ? 3 : 2);
/** The default strategy's seeds. */
const PORTFOLIO_SEEDS = FULL ? [1, 2, 3, 4, 5] : [1, 2, 3];
const SAFE_ATTEMPTS = (ext: "mjs" | "ts"): number => (FULL ? 200 : ext === "mjs" ? 100 : 40);
const REPRODUCE = (ext: "mjs" | "ts"): number => (FULL || ext === "mjs" ? 3 : 1);
const REPLAYS = (ext: "mjs" | "ts"): number => (FULL || ext === "mjs" ? 5 : 2);

describe("every buggy worker fixture is found", () => {
  for (const strategy of ["random", "pct"] as const) {
    // Every seed of the sweep on the JavaScript fixtures; fewer on the TypeScript twins.
    it.each(CASES)(`${strategy}, every seed within 200 attempts (${SEEDS.length} for .mjs, ${TS_SEEDS.length} for .ts): $label`, async ({ make, ext, kind, message }) => {
      const attempts: number[] = [];
      for (const seed of ext === "mjs" ? SEEDS : TS_SEEDS) {
        const result = await explore(make(ext, false), { strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
        expect(result.propertyHolds, `seed ${seed}`).toBe(false);
        expect(result.counterexample!.failure.kind, `seed ${seed}`).toBe(kind);
        expect(result.counterexample!.failure.message, `seed ${seed}`).toMatch(message);
        attempts.push(result.numExplored);
      }
      expect(Math.max(...attempts)).toBeLessThanOrEqual(200);
    });
  }

  // The default strategy (portfolio: DPOR's runs record accesses in isolates of their own), on the
  // JavaScript fixtures (the TypeScript twins add only tsx's start-up).
  it.each(CASES.filter((c) => c.ext === "mjs"))(`portfolio (the default), seeds 1..${PORTFOLIO_SEEDS.length} within 200 attempts: $label`, async ({ make, ext, kind }) => {
    for (const seed of PORTFOLIO_SEEDS) {
      const result = await explore(make(ext, false), { seed, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.strategy).toBe("portfolio");
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      expect(result.counterexample!.failure.kind, `seed ${seed}`).toBe(kind);
    }
  });

  it.each(CASES)("exhaustive search finds it; the counterexample round-trips and replays every time (.mjs: 3 reproductions, 5 replays): $label", async ({ make, ext, kind }) => {
    const result = await explore(make(ext, false), { strategy: "exhaustive", maxAttempts: 200, reproduceOnFailure: REPRODUCE(ext), name: "fixture" });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.failure.kind).toBe(kind);
    expect(result.counterexample!.granularity).toBe("statements");
    expect(result.reproduced).toEqual({ failures: REPRODUCE(ext), attempts: REPRODUCE(ext) });
    const saved = parseCounterexample(JSON.stringify(result.counterexample), "ce.json");
    const again = await replay(make(ext, false), saved, REPLAYS(ext));
    expect(again.failures).toBe(REPLAYS(ext));
    expect(again.explanation).toMatch(/^ +\d+ +\w+\*? +fixtures\/(explore\/workers|counter)\/[\w-]+\.(mjs|ts):\d+:\d+  \S/m);
  });
});

describe("every safe twin holds", () => {
  it.each(CASES)(`random, PCT, exhaustive: ${SAFE_ATTEMPTS("mjs")} attempts each (.ts twins: ${SAFE_ATTEMPTS("ts")}): $label`, async ({ make, ext }) => {
    for (const strategy of ["random", "pct", "exhaustive"] as StrategyName[]) {
      const attempts = SAFE_ATTEMPTS(ext);
      const result = await explore(make(ext, true), { strategy, seed: 11, maxAttempts: attempts });
      expect(result.explanation, strategy).toBeNull();
      expect(result.propertyHolds, strategy).toBe(true);
      // Exhaustive search may run out of interleavings first.
      if (strategy === "exhaustive") expect(result.numExplored).toBeGreaterThan(1);
      else expect(result.numExplored).toBe(attempts);
    }
  });
});
