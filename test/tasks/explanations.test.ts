// Every strategy's explanation shows what each step read and wrote, the conflicting accesses, and a
// classification of the race (the counterexample's replays record accesses, whatever found it).
import { describe, expect, it } from "vitest";
import { explore, type ExploreOptions, type StrategyName } from "interlace";
import * as checkThenWithdraw from "../../fixtures/explore/tasks/check-then-withdraw.js";
import * as lazyInit from "../../fixtures/explore/tasks/lazy-init.js";
import * as orderViolation from "../../fixtures/explore/tasks/order-violation.js";
import * as bankTransfer from "../../fixtures/explore/tasks/bank-transfer.js";
import * as counter from "../../fixtures/dpor/counter.js";

const CASES: Array<[string, () => ExploreOptions<unknown>, RegExp, string]> = [
  ["counter", counter.buggy as () => ExploreOptions<unknown>, /Classification: lost update\. t\d read Counter\.value/, "[write Counter.value = 1]"],
  ["check-then-withdraw", checkThenWithdraw.buggy as () => ExploreOptions<unknown>, /Classification: check-then-act\. w\d checked Account\.balance/, "[read Account.balance = 100]"],
  ["lazy init", lazyInit.buggy as () => ExploreOptions<unknown>, /Classification: lost update\. \w read Registry\.instance/, "[read Registry.instance = undefined]"],
  ["order violation", orderViolation.buggy as () => ExploreOptions<unknown>, /Classification: order violation\. user read Db\.conn \(step \d+\) before/, "[read Db.conn = undefined]"],
  ["bank transfer", bankTransfer.buggy as () => ExploreOptions<unknown>, /Classification: lost update\. \w+ read Account#\d\.balance/, "Write-write conflict: threads"],
];

describe.each(["random", "pct", "exhaustive", "dpor"] as StrategyName[])("explanations under %s", (strategy) => {
  it.each(CASES)("%s: classified, with values and conflicts", async (_name, make, classification, annotation) => {
    const result = await explore({ ...make(), strategy, seed: 7, maxAttempts: 200, reproduceOnFailure: 2 });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toMatch(classification);
    expect(result.explanation).toContain(annotation);
    expect(result.explanation).toContain("Reproduced 2/2 times.");
  });
});

describe("the default strategy", () => {
  // DPOR alone fails on its 2nd execution, run 5 of D R P R; the random and PCT runs between may be first.
  it.each([1, 2, 3])("is portfolio, with DPOR for task threads whose code records shared accesses (seed %d)", async (seed) => {
    const result = await explore({ ...counter.buggy(), seed, reproduceOnFailure: 0 } as ExploreOptions<unknown>);
    expect(result.strategy).toBe("portfolio");
    expect(result.propertyHolds).toBe(false);
    expect(result.numExplored).toBeLessThanOrEqual(5);
    expect(result.portfolio?.dporStopped).toBeNull();
    if (result.portfolio?.foundBy === "dpor") expect(result.portfolio.dporExecutions).toBe(2);
  });
});
