// Which granularity an exploration of worker/process threads uses when none is asked: io when every
// thread is a child process (processes share only what is outside their heaps: each external
// operation is the decision that matters), statements as soon as a worker thread takes part. The
// choice is stated: in the result (`granularity.chosen`), the JSON report and a note of the text
// report.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defineScenario, explore, thread } from "interlace";
import { processScenarios } from "../../fixtures/io/processes/scenarios.mjs";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
const NOTE = "note: granularity io (the default when every thread is a process)";

describe("the default granularity of worker and process threads", () => {
  it("process threads only: io, chosen by interlace, stated in the text and JSON reports; the counterexample records io", () => {
    const text = cli("explore", "fixtures/io/processes/cli-scenario.mjs", "--strategy", "dpor", "--reproduce", "0", "--no-shrink");
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toContain(NOTE);
    expect(text.stdout).toMatch(/\d+ decisions at markers and external operations/);
    const json = cli("explore", "fixtures/io/processes/cli-scenario.mjs", "--strategy", "dpor", "--reproduce", "0", "--no-shrink", "--json");
    const report = JSON.parse(json.stdout) as { granularity: unknown; counterexample: { granularity: string } };
    expect(report.granularity).toEqual({ value: "io", chosen: true });
    expect(report.counterexample.granularity).toBe("io");
  }, 120_000);

  it("asked for statements: statements, no note", () => {
    const text = cli("explore", "fixtures/io/processes/cli-scenario.mjs", "--strategy", "dpor", "--granularity", "statements", "--reproduce", "0", "--no-shrink", "--max-executions", "3");
    expect([0, 1]).toContain(text.status);
    expect(text.stdout).not.toContain(NOTE);
  }, 120_000);

  it("a worker beside a process: statements, chosen by interlace", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "interlace-granularity-")), "shared");
    const S = processScenarios({ defineScenario, thread }, dir);
    const claim = new URL("../../fixtures/io/processes/claim.mjs", import.meta.url);
    const both = defineScenario({
      setup: () => {
        mkdirSync(dir, { recursive: true });
        return { dir };
      },
      threads: { p1: thread.process(claim, "own", ["p1"]), p2: thread.worker(claim, "own", ["p2"]) },
      invariant: (s: { dir: string }) => existsSync(join(s.dir, "p1.out")) && existsSync(join(s.dir, "p2.out")),
    });
    const result = await explore(both, { strategy: "dpor", reproduceOnFailure: 0 });
    expect(result.granularity).toEqual({ value: "statements", chosen: true });
    const onlyProcesses = await explore(S.own("process"), { strategy: "dpor" });
    expect(onlyProcesses.granularity).toEqual({ value: "io", chosen: true });
    expect(onlyProcesses).toMatchObject({ propertyHolds: true, complete: true, numExplored: 1 });
  }, 120_000);
});
