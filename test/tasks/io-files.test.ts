// fs and fs/promises calls of task threads as file and directory accesses (src/io/drivers/):
// check-then-create found, its "wx" twin proven, different files pruned to one execution.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { explore, replay } from "interlace";
import * as files from "../../fixtures/io/files.js";

const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

afterAll(() => rmSync(files.DIR, { recursive: true, force: true }));

describe("files in task threads", () => {
  it("existsSync then writeFileSync: DPOR finds both tasks creating the file, explained on the file", async () => {
    const result = await explore({ ...files.existsCheck(), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 1 });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("file ");
    expect(result.explanation).toMatch(/writeFile\([^)]*lock\)/);
  });

  it("the same through a namespace import (import * as fs, a Proxy under vitest): found by DPOR, explained on the file", async () => {
    const result = await explore({ ...files.existsCheckNamespace(), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toMatch(/writeFileSync\([^)]*lock\)|writeFile\([^)]*lock\)/);
  });

  it("stat then promises.writeFile: found by DPOR and by the portfolio on 20/20 seeds within 200 attempts", async () => {
    const dpor = await explore({ ...files.statCheck(), strategy: "dpor", ...quick });
    expect(dpor.propertyHolds).toBe(false);
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...files.statCheck(), ...quick, seed, maxAttempts: 200 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
    }
  });

  it('the twin writeFile(…, { flag: "wx" }) handling EEXIST holds and DPOR\'s search is complete', async () => {
    const result = await explore({ ...files.exclusiveCreate(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
  });

  it("two tasks creating different files in one directory: 1 execution, complete", async () => {
    const result = await explore({ ...files.differentFiles(), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(1);
  });
});

// writeFile is an open (truncating) and writes, each completing in its own turn of the event loop.
// Before the phases (src/tasks/fs-phases.ts) the whole call ran in one step of its task, and DPOR
// said "holds, complete" after 2 executions while plain concurrency read the store torn.
describe("a store saved with writeFile while another task loads it (the torn read)", () => {
  for (const form of ["promise", "plain", "callback"] as const) {
    it(`${form} form: DPOR reads it between the open and the write in 2 executions; random finds it too`, async () => {
      const dpor = await explore({ ...files.tornStore(form), strategy: "dpor", ...quick });
      expect(dpor.propertyHolds).toBe(false);
      expect(dpor.numExplored).toBe(2);
      expect(dpor.counterexample!.failure.message).toMatch(/JSON/);
      expect(dpor.explanation).toMatch(/Read-write conflict: thread load read file .*store\.json/);
      const random = await explore({ ...files.tornStore(form), strategy: "random", seed: 1, maxAttempts: 200, ...quick });
      expect(random.propertyHolds).toBe(false);
    });
  }

  it("the twin (a temporary file renamed over the store) holds and DPOR's search is complete", async () => {
    const result = await explore({ ...files.tornStore("atomic"), strategy: "dpor" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [] });
  });

  it("a phase's gate is shown where the task called writeFile, with its own access (not in interlace's code)", async () => {
    // DPOR's first execution runs save to its end first; the call goes through the access runtime's stand-ins.
    for (const form of ["promise", "plain"] as const) {
      const result = await explore({ ...files.tornStore(form), invariant: () => false, strategy: "dpor", ...quick });
      const call = form === "promise" ? "promise: \\(s: Store\\) => fsp\\.writeFile" : "plain: \\(s: Store\\) => writeFile";
      expect(result.explanation, form).toMatch(new RegExp(`fixtures/io/files\\.ts:\\d+\\s+fs\\.writeFile: write callback of: ${call}`));
      expect(result.explanation, form).not.toMatch(/src\/(tasks|access)\//);
    }
  });

  it("the phases are steps: replaying the counterexample 10 times reads the store torn 10 times", async () => {
    const found = await explore({ ...files.tornStore("promise"), strategy: "dpor", ...quick });
    const again = await replay(files.tornStore("promise"), found.counterexample!, 10);
    expect(again).toMatchObject({ failures: 10, attempts: 10 });
  });
});
