// explore() over fixtures/explore/tasks: five classic async races (order violation, check-then-act
// across an await, lazy initialisation, bank transfer, lost wakeup), each in TypeScript and in
// JavaScript, each with a safe twin. Every strategy finds every bug on every seed, the safe twins
// hold over the whole budget, and every counterexample replays from its JSON. Runs in the "tasks"
// project (the plugin instruments the fixtures as they load).
import { describe, expect, it } from "vitest";
import { explore, parseCounterexample, replay, type ExploreOptions, type FailureKind, type StrategyName } from "interlace";
import * as bankTransferJs from "../../fixtures/explore/tasks/bank-transfer.mjs";
import * as bankTransferTs from "../../fixtures/explore/tasks/bank-transfer.js";
import * as checkThenWithdrawJs from "../../fixtures/explore/tasks/check-then-withdraw.mjs";
import * as checkThenWithdrawTs from "../../fixtures/explore/tasks/check-then-withdraw.js";
import * as lazyInitJs from "../../fixtures/explore/tasks/lazy-init.mjs";
import * as lazyInitTs from "../../fixtures/explore/tasks/lazy-init.js";
import * as lostWakeupJs from "../../fixtures/explore/tasks/lost-wakeup.mjs";
import * as lostWakeupTs from "../../fixtures/explore/tasks/lost-wakeup.js";
import * as orderViolationJs from "../../fixtures/explore/tasks/order-violation.mjs";
import * as orderViolationTs from "../../fixtures/explore/tasks/order-violation.js";

/** A fixture module: a buggy program and its safe twin, as explore options. */
interface RaceModule {
  buggy(): ExploreOptions<unknown>;
  safe(): ExploreOptions<unknown>;
}

interface Race {
  /** The fixture file, under fixtures/explore/tasks/. */
  file: string;
  module: RaceModule;
  /** How the buggy program fails, and what the failure says. */
  kind: FailureKind;
  message: RegExp;
}

/** Each module's state types differ; the table erases them (explore() takes any state). */
function race<B, S>(file: string, module: { buggy(): ExploreOptions<B>; safe(): ExploreOptions<S> }, kind: FailureKind, message: RegExp): Race {
  return { file, module: module as unknown as RaceModule, kind, message };
}

const INVARIANT = /^invariant returned false$/;
const RACES: Race[] = [
  race("order-violation.ts", orderViolationTs, "exception", /TypeError/),
  race("order-violation.mjs", orderViolationJs, "exception", /TypeError/),
  race("check-then-withdraw.ts", checkThenWithdrawTs, "invariant", INVARIANT),
  race("check-then-withdraw.mjs", checkThenWithdrawJs, "invariant", INVARIANT),
  race("lazy-init.ts", lazyInitTs, "invariant", INVARIANT),
  race("lazy-init.mjs", lazyInitJs, "invariant", INVARIANT),
  race("bank-transfer.ts", bankTransferTs, "invariant", INVARIANT),
  race("bank-transfer.mjs", bankTransferJs, "invariant", INVARIANT),
  race("lost-wakeup.ts", lostWakeupTs, "deadlock", /consumer: waiting at fixtures\/explore\/tasks\/lost-wakeup\.ts:\d+:\d+/),
  race("lost-wakeup.mjs", lostWakeupJs, "deadlock", /consumer: waiting at fixtures\/explore\/tasks\/lost-wakeup\.mjs:\d+:\d+/),
];

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe("every buggy fixture is found", () => {
  for (const strategy of ["portfolio", "random", "pct"] as const) {
    describe(`${strategy}: on 20/20 seeds within 200 attempts`, () => {
      it.each(RACES)("$file", async ({ module, kind, message }) => {
        for (const seed of SEEDS) {
          const result = await explore({ ...module.buggy(), strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
          expect(result.propertyHolds, `seed ${seed}`).toBe(false);
          expect(result.counterexample?.failure.kind, `seed ${seed}`).toBe(kind);
          expect(result.counterexample?.failure.message, `seed ${seed}`).toMatch(message);
        }
      });
    });
  }

  // Both searches are deterministic (no seed); `markers` only interleaves at marker comments, so it
  // finds these bugs only because the fixtures mark both sides of every race window.
  describe.each(["exhaustive", "markers"] as StrategyName[])("%s search within 200 attempts", (strategy) => {
    it.each(RACES)("$file", async ({ module, kind, message }) => {
      const result = await explore({ ...module.buggy(), strategy, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.propertyHolds).toBe(false);
      expect(result.numExplored).toBeLessThanOrEqual(200);
      expect(result.counterexample?.failure.kind).toBe(kind);
      expect(result.counterexample?.failure.message).toMatch(message);
    });
  });
});

describe("every safe twin holds over the whole budget", () => {
  describe.each(["random", "pct"] as StrategyName[])("%s, seed 7, 200 attempts", (strategy) => {
    it.each(RACES)("$file", async ({ module }) => {
      const result = await explore({ ...module.safe(), strategy, seed: 7, maxAttempts: 200 });
      expect(result.propertyHolds, result.explanation ?? "").toBe(true);
      expect(result.counterexample).toBeNull();
      expect(result.numExplored).toBe(200);
    });
  });

  // The twins are small enough for the depth-first search to see every interleaving before the
  // budget runs out: it stops early, having checked them all.
  it.each(RACES)("exhaustive: every interleaving of $file", async ({ module }) => {
    const result = await explore({ ...module.safe(), strategy: "exhaustive", maxAttempts: 200 });
    expect(result.propertyHolds, result.explanation ?? "").toBe(true);
    expect(result.numExplored).toBeLessThan(200);
  });
});

describe("counterexamples round-trip", () => {
  it.each(RACES)("$file: JSON.stringify → parseCounterexample → replay fails 5/5", async ({ file, module, kind }) => {
    const found = await explore({ ...module.buggy(), strategy: "random", seed: 1, maxAttempts: 200, reproduceOnFailure: 0 });
    expect(found.propertyHolds).toBe(false);
    const saved = parseCounterexample(JSON.stringify(found.counterexample), `${file}.counterexample.json`);
    expect(saved).toEqual(found.counterexample);
    expect(saved.failure.kind).toBe(kind);
    // The fixture's source is among the recorded digests: a replay on an edited fixture is refused.
    expect(saved.sources.map((s) => s.file)).toContain(`fixtures/explore/tasks/${file}`);
    const again = await replay(module.buggy(), saved, 5);
    expect(again.failures).toBe(5);
    expect(again.attempts).toBe(5);
  });
});
