// better-sqlite3 statements of task threads as SQL row and table accesses (src/io/drivers/): DPOR
// finds the lost update and proves its twins, prunes different rows, and never calls a search
// complete when a statement's effects go beyond its text (a trigger) or cannot be classified.
// A real database file per attempt (fixtures/io/sqlite.ts), removed by teardown.
import { describe, expect, it } from "vitest";
import { unmodelledAdvice } from "../../src/explore/unmodelled.js";
import { explore } from "interlace";
import * as sqlite from "../../fixtures/io/sqlite.js";

const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

describe("better-sqlite3 in task threads", () => {
  it("DPOR finds the lost update (SELECT, await, UPDATE n + 1), explained on the row with the statement", async () => {
    const result = await explore({ ...sqlite.lostUpdate(), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 2 });
    expect(result.propertyHolds).toBe(false);
    expect(result.numExplored).toBeLessThanOrEqual(2);
    expect(result.explanation).toContain("Classification: lost update");
    expect(result.explanation).toContain("SQL row c(id=1)");
    expect(result.explanation).toContain("UPDATE c SET n = ? WHERE id = ?");
  });

  it("the default portfolio finds it on 20/20 seeds within 200 attempts", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...sqlite.lostUpdate(), ...quick, seed, maxAttempts: 200 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
    }
  });

  it("the twin UPDATE c SET n = n + 1 holds and DPOR's search is complete: 2 executions (one row read and written by both)", async () => {
    const result = await explore({ ...sqlite.incremented(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("the twin with a better-sqlite3 transaction holds and DPOR's search is complete", async () => {
    const result = await explore({ ...sqlite.transaction(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
  });

  it("two tasks updating different rows: DPOR explores 1 execution and says complete", async () => {
    const result = await explore({ ...sqlite.differentRows(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(1);
  });

  it("a trigger on a that writes b, with the race on b: DPOR finds it, and the twin search is not called complete", async () => {
    const result = await explore({ ...sqlite.trigger(), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    const unmodelled = result.unmodelled.map((e) => `${e.origin}: ${e.examples.join(" | ")}`).join("\n");
    expect(unmodelled).toContain("trigger a_counts on a not modelled");
    const portfolio = await explore({ ...sqlite.trigger(), ...quick, seed: 1, maxAttempts: 50 });
    expect(portfolio.propertyHolds).toBe(false);
  });

  it("a statement the classifier cannot model (a user-defined SQL function) is a write of the outside world: never complete", async () => {
    const result = await explore({ ...sqlite.unmodelled(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.unmodelled.map((e) => e.origin)).toContain("better-sqlite3");
    expect(result.unmodelled[0]!.examples[0]).toMatch(/^SQL not modelled: UPDATE c SET n = plus_one/);
    // Tracing the driver would not help: the advice says what was not modelled instead.
    expect(result.unmodelled[0]).toMatchObject({ origin: "better-sqlite3", resource: true });
    expect(result.unmodelled[0]!.package).toBeUndefined();
    expect(unmodelledAdvice(result.unmodelled)).toContain("could not be modelled");
    expect(unmodelledAdvice(result.unmodelled)).not.toContain("tracePackages");
  });
});
