/**
 * Faults of the exploration itself end as typed errors, never as hangs or uncaught exceptions
 * (issue "Robust under faults"): each case here reproduced a defect first.
 */
import { describe, expect, it } from "vitest";
import { explore, replay, type Counterexample } from "interlace";
import bankWorkers from "../../examples/bank/scenario.js";

describe("a worker counterexample whose decisions cannot be followed", () => {
  it("rejects with E_REPLAY_DIVERGED instead of hanging", async () => {
    const found = await explore(bankWorkers, { strategy: "random", seed: 1, maxAttempts: 50, reproduceOnFailure: 1, shrinkBudget: 0 });
    expect(found.propertyHolds).toBe(false);
    const counterexample = found.counterexample as Counterexample;
    // t1 alone for far more decisions than it has: once it has finished, "t1" cannot be followed.
    const tampered: Counterexample = { ...counterexample, decisions: Array<string>(counterexample.decisions.length + 200).fill("t1") };

    const outcome = await replay(bankWorkers, tampered).then(
      () => "settled",
      (error: unknown) => error,
    );

    expect(outcome).toMatchObject({ code: "E_REPLAY_DIVERGED" });
    expect(String((outcome as Error).message)).toMatch(/replay diverged at step \d+: recorded t1, runnable now \[t2\]/);
    // The isolates were closed: the same scenario explores again at once.
    const again = await explore(bankWorkers, { strategy: "random", seed: 1, maxAttempts: 50, reproduceOnFailure: 1, shrinkBudget: 0 });
    expect(again.propertyHolds).toBe(false);
  });
});

describe("explore(workerScenario, { signal })", () => {
  it("stops after the attempt in progress, reports what it explored, and closes the isolates", async () => {
    const controller = new AbortController();
    const result = await explore(bankWorkers, {
      strategy: "random",
      seed: 5,
      maxAttempts: 500,
      stopOnFirst: false,
      reproduceOnFailure: 0,
      shrinkBudget: 0,
      signal: controller.signal,
      onAttempt: (p) => {
        if (p.numExplored === 4) controller.abort();
      },
    });

    expect(result).toMatchObject({ numExplored: 4, interrupted: "aborted", complete: false });
  });
});
