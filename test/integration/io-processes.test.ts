// Process threads (and workers) sharing a directory, explored at io granularity — a decision
// before each operation on a file, a connection, a child process or a native addon, made by any
// code (the `lockfile` package's too) — and by DPOR from the resource accesses the io hooks of each
// isolate record (src/io/drivers/patch.ts). Real files, real child processes; each bug has a safe
// twin, and the false green (an effect through a path interlace cannot see) is checked.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defineScenario, explore, parseCounterexample, replay, thread } from "interlace";
import { processScenarios } from "../../fixtures/io/processes/scenarios.mjs";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

// One fixed directory for every attempt of the file (DPOR compares each run's paths with the last's).
const dir = join(mkdtempSync(join(tmpdir(), "interlace-io-processes-")), "shared");
const S = processScenarios({ defineScenario, thread }, dir);
const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;
const SEEDS = process.env.INTERLACE_FULL_SWEEPS === "1" ? 20 : 5;

describe("process threads over files, at io granularity", () => {
  it("check-then-create: DPOR finds it in 3 executions, explained on the file; the counterexample (granularity io) replays 3/3", async () => {
    const result = await explore(S.claim("process"), { strategy: "dpor", granularity: "io", reproduceOnFailure: 2, shrinkBudget: 0 });
    expect(result.propertyHolds).toBe(false);
    // 3, not 2, since writeFileSync runs as open, write, close (patch-fs-phases.ts): p2's exists
    // can also come between p1's open and its write (a lock that exists but is empty), a third order.
    expect(result.numExplored).toBe(3);
    expect(result.counterexample!.granularity).toBe("io");
    // A decision before each operation: per process, its start, exists, then writeFileSync and
    // appendFileSync as open, write, close each (16 measured; 10 when they were one step each).
    expect(result.counterexample!.decisions.length).toBeLessThanOrEqual(16);
    expect(result.explanation).toMatch(/Read-write conflict: thread p[12] read file [^\n]*lock \(step \d+: exists\(/);
    expect(result.explanation).toMatch(/p[12] +fixtures\/io\/processes\/claim\.mjs:10:8 +if \(!existsSync\(join\(s\.dir, "lock"\)\)\) \{ +\[read file /);
    expect(result.reproduced).toEqual({ failures: 2, attempts: 2 });
    const again = await replay(S.claim("process"), parseCounterexample(JSON.stringify(result.counterexample), "ce.json"), 3);
    expect(again.failures).toBe(3);
  });

  it("the open(…, \"wx\") twin holds; DPOR's search is complete after 2 executions, nothing unmodelled", async () => {
    const result = await explore(S.claimExclusive("process"), { strategy: "dpor", granularity: "io" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, numExplored: 2, unmodelled: [] });
  });

  it("two processes writing different files of one directory: 1 execution, complete (also at statement granularity)", async () => {
    for (const granularity of ["io", "statements"] as const) {
      const result = await explore(S.own("process"), { strategy: "dpor", granularity });
      expect(result, granularity).toMatchObject({ propertyHolds: true, complete: true, numExplored: 1 });
    }
  });

  // `npm run test:sweeps` runs 20 seeds; `npm test` 5.
  it(`random and PCT find the check-then-create on ${SEEDS}/${SEEDS} seeds within 200 attempts`, async () => {
    for (const strategy of ["random", "pct"] as const) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const result = await explore(S.claim("process"), { strategy, seed, granularity: "io", maxAttempts: 200, ...quick });
        expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(false);
      }
    }
  }, 180_000);

  it("a lock-file race made by a package's code (lockfile: checkSync, then lockSync): DPOR finds it in 2 executions; the lockSync-first twin holds, complete", async () => {
    const bug = await explore(S.checkThenLock("process"), { strategy: "dpor", granularity: "io", ...quick });
    expect(bug.propertyHolds).toBe(false);
    expect(bug.numExplored).toBe(2);
    // The package's own fs calls are the decisions (it is not traced), shown at the traced call into it.
    expect(bug.explanation).toMatch(/lockfile-claim\.cjs:10:16 +if \(lockfile\.checkSync\(lock\)\) return; +\[read file [^\]]*lock = open\(/);
    expect(bug.explanation).toMatch(/lockfile-claim\.cjs:13:14 +lockfile\.lockSync\(lock\); +\[write file [^\]]*lock = open\(/);
    const twin = await explore(S.lockFirst("process"), { strategy: "dpor", granularity: "io" });
    expect(twin).toMatchObject({ propertyHolds: true, complete: true, numExplored: 2, unmodelled: [] });
  });

  it("a lock written by a child process (a path interlace cannot see into): DPOR explores both orders, finds the order violation, and names the child process as unmodelled", async () => {
    const result = await explore(S.viaShell("process"), { strategy: "dpor", granularity: "io", ...quick });
    // Were the child process's write not counted as a write of the outside world, p2's read would
    // conflict with nothing, and the search would end "holds, complete" after 1 execution.
    expect(result.propertyHolds).toBe(false);
    expect(result.complete).toBe(false);
    expect(result.unmodelled.map((u) => u.origin)).toContain("node:child_process");
  });
});

describe("worker threads at io granularity", () => {
  it("check-then-create between workers: found by DPOR; decisions at the file operations", async () => {
    const result = await explore(S.claim("worker"), { strategy: "dpor", granularity: "io", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.granularity).toBe("io");
    expect(result.explanation).toMatch(/\[read file [^\n]*lock = exists\(/);
  });
});

describe("interlace explore --granularity io", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

  it("explores process threads at io granularity with DPOR, says so, and saves a counterexample replay accepts (exit 1)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "interlace-cli-io-ce-")), "ce.json");
    const found = cli("explore", "fixtures/io/processes/cli-scenario.mjs", "--granularity", "io", "--strategy", "dpor", "--reproduce", "1", "--save", out);
    expect(found.status, found.stderr).toBe(1);
    expect(found.stdout).toMatch(/Interleaving \(dpor, seed \d+, attempt 2: \d+ decisions at markers and external operations, 1 preemption\):/);
    expect(found.stdout).toContain("Classification: lost update.");
    const replayed = cli("replay", "fixtures/io/processes/cli-scenario.mjs", out);
    expect(replayed.status, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain("decisions at markers and external operations");
  });

  it("refuses an unknown granularity with E_USAGE and says what the values mean", () => {
    const bad = cli("explore", "fixtures/io/processes/cli-scenario.mjs", "--granularity", "lines");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_USAGE: --granularity takes statements, io or markers, got "lines"');
  });
});

