// fs and fs/promises calls of task threads as file and directory accesses (src/io/drivers/):
// check-then-create found, its "wx" twin proven, different files pruned to one execution.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { explore } from "interlace";
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
