// A torn read between processes: a writer saves a JSON store in place with the `jsonfile` package
// (open truncates, then the data is written) while a reader loads it. Node's writeFile is several
// system calls; the io hooks run it as its phases (src/io/drivers/patch-fs-phases.ts), so at io
// granularity the reader can be scheduled between the writer's open and its write and read an
// empty file. Without the split, the writer's call was one step and DPOR said "holds, complete"
// after 2 executions: the false green these tests guard against. The twin writes a temporary file
// and renames it. Real processes, real files, the real package.
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineScenario, explore, parseCounterexample, replay, thread } from "interlace";
import { tornScenarios } from "../../fixtures/io/processes/torn-scenarios.mjs";
import { exercise } from "../../fixtures/io/processes/torn-semantics.mjs";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

const dir = join(mkdtempSync(join(tmpdir(), "interlace-io-torn-")), "shared");
const T = tornScenarios({ defineScenario, thread }, dir);
const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;
const SEEDS = process.env.INTERLACE_FULL_SWEEPS === "1" ? 20 : 5;

interface Step {
  n: number;
  thread: string;
  call: string | null;
}

/** The interleaving of an explanation: each step's number, thread and the fs call it recorded (`open`, `write`, `readFile`). */
function steps(explanation: string | null): Step[] {
  const out: Step[] = [];
  for (const line of (explanation ?? "").split("\n")) {
    const m = /^\s+(\d+)\s+(\w+)\*?\s+(.*)$/.exec(line);
    if (m === null) continue;
    const call = / = (\w+)\([^\]]*\]\s*$/.exec(m[3]!)?.[1] ?? null;
    out.push({ n: Number(m[1]), thread: m[2]!, call });
  }
  return out;
}

/**
 * The reader's read came after the writer's open and before any write of it: the torn state
 * exists only because the writer's writeFile was split (one `writeFile` step could not be cut).
 */
function expectReadBetweenOpenAndWrite(explanation: string | null): void {
  const s = steps(explanation);
  const read = s.find((x) => x.thread === "reader" && x.call === "readFile");
  const open = s.find((x) => x.thread === "writer" && x.call === "open");
  expect(read, explanation ?? undefined).toBeDefined();
  expect(open, explanation ?? undefined).toBeDefined();
  expect(open!.n).toBeLessThan(read!.n);
  expect(s.filter((x) => x.thread === "writer" && x.n < read!.n).map((x) => x.call)).not.toContain("write");
  expect(s.some((x) => x.thread === "writer" && x.call === "writeFile")).toBe(false);
}

describe("a JSON store saved in place (jsonfile) while another process loads it, at io granularity", () => {
  it("DPOR finds the torn read in 2 executions, names the file, and the counterexample replays 3/3", async () => {
    const result = await explore(T.inPlace(), { strategy: "dpor", granularity: "io", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.numExplored).toBe(2);
    expect(result.counterexample!.granularity).toBe("io");
    // writer starts, opens (truncates); reader starts, reads the empty file and throws.
    expect(result.counterexample!.decisions).toEqual(["writer", "writer", "reader", "reader"]);
    expect(result.explanation).toMatch(/Thread "reader" threw:\s+SyntaxError: [^\n]*store\.json: Unexpected end of JSON input/);
    expect(result.explanation).toMatch(/Read-write conflict: thread reader read file [^\n]*store\.json \(step \d+: readFile\([^\n]*thread writer wrote it \(step \d+: open\(/);
    expect(result.unmodelled).toEqual([]);
    const again = await replay(T.inPlace(), parseCounterexample(JSON.stringify(result.counterexample), "ce.json"), 3);
    expect(again.failures).toBe(3);
  });

  it("the false-green guard: the reader's read lies between the writer's open and its write (the split is what makes it reachable)", async () => {
    for (const scenario of [T.inPlace(), T.inPlaceAsync()]) {
      const result = await explore(scenario, { strategy: "dpor", granularity: "io", ...quick });
      expect(result.propertyHolds).toBe(false);
      expectReadBetweenOpenAndWrite(result.explanation);
      // jsonfile's async save goes through graceful-fs to the callback writeFile: its write and
      // close run in later callbacks, on a descriptor the split's open made known (not unmodelled).
      expect(result.unmodelled).toEqual([]);
    }
  });

  it("the write-then-rename twin holds; DPOR's search is complete after 2 executions, nothing unmodelled", async () => {
    const result = await explore(T.atomic(), { strategy: "dpor", granularity: "io" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, numExplored: 2, unmodelled: [] });
  });

  // `npm run test:sweeps` runs 20 seeds; `npm test` 5.
  it(`random and PCT find the torn read on ${SEEDS}/${SEEDS} seeds within 200 attempts`, async () => {
    const attempts: Record<string, number[]> = { random: [], pct: [] };
    for (const strategy of ["random", "pct"] as const) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const result = await explore(T.inPlace(), { strategy, seed, granularity: "io", maxAttempts: 200, ...quick });
        expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(false);
        expect(result.explanation, `${strategy} seed ${seed}`).toContain("Unexpected end of JSON input");
        attempts[strategy]!.push(result.numExplored);
      }
    }
    console.log(`attempts to find the torn read: ${JSON.stringify(attempts)}`);
  }, 300_000);
});

describe("worker threads", () => {
  it("the same torn read between two workers: DPOR finds it, read between open and write", async () => {
    const result = await explore(T.inPlace("worker"), { strategy: "dpor", granularity: "io", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("Unexpected end of JSON input");
    expectReadBetweenOpenAndWrite(result.explanation);
    // The twin holds, but is not "complete" between workers: a worker also records its heap, and
    // the calls into jsonfile (untraced node_modules code) are unobserved effects there.
    const twin = await explore(T.atomic("worker"), { strategy: "dpor", granularity: "io" });
    expect(twin.propertyHolds).toBe(true);
  });
});

describe("Node's semantics under the split", () => {
  it("writeFile/appendFile/copyFile in sync, callback and promise forms (flags, encodings, modes, flush, errors) leave what plain Node leaves", async () => {
    // Under the hooks: one process thread. The invariant fails on purpose, so that the result
    // carries the steps the thread took (the proof that the phases, not the whole calls, ran).
    const hooked = join(mkdtempSync(join(tmpdir(), "interlace-io-torn-sem-")), "shared");
    const scenario = defineScenario({
      setup: () => {
        rmSync(hooked, { recursive: true, force: true });
        mkdirSync(hooked, { recursive: true });
        return { dir: hooked };
      },
      threads: { t: thread.process(new URL("../../fixtures/io/processes/torn-semantics.mjs", import.meta.url), "exercise") },
      invariant: () => false,
    });
    const result = await explore(scenario, { strategy: "dpor", granularity: "io", ...quick });
    expect(result.counterexample).toBeDefined();
    const underHooks = readFileSync(join(hooked, "report.json"), "utf8");
    // Plain Node, in this process (no io hooks here).
    const plain = join(mkdtempSync(join(tmpdir(), "interlace-io-torn-plain-")), "shared");
    mkdirSync(plain, { recursive: true });
    await exercise({ dir: plain });
    const inPlainNode = readFileSync(join(plain, "report.json"), "utf8");
    expect(JSON.parse(underHooks)).toEqual(JSON.parse(inPlainNode));
    expect(inPlainNode).toContain("ENOENT: no such file or directory, copyfile 'D/no' -> 'D/x'");
    expect(inPlainNode).toContain("EISDIR: illegal operation on a directory, open 'D'");
    // The phases ran: writeFileSync(at("a"), …) is an open then a write, each its own step.
    const s = steps(result.explanation);
    expect(s.filter((x) => x.call === "open").length).toBeGreaterThan(10);
    expect(s.filter((x) => x.call === "write").length).toBeGreaterThan(10);
    expect(s.some((x) => x.call === "writeFile" || x.call === "copyFile" || x.call === "appendFile")).toBe(true); // the fallbacks (bad data, bad encoding, aborted signal)
  }, 120_000);
});
