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

describe("a worker step that makes more accesses than its ring holds (a long loop run freely past maxSteps)", () => {
  it("does not end the exploration in E_ACCESS_OVERFLOW: it explores on and names the unrecorded accesses", async () => {
    const { default: longLoop } = await import("../../fixtures/robustness/long-loop-scenario.mjs");
    const result = await explore(longLoop, { strategy: "dpor", maxSteps: 5, maxAttempts: 3, reproduceOnFailure: 0, shrinkBudget: 0 });
    expect(result.numExplored).toBeGreaterThan(1);
    expect(result.complete).toBe(false);
    const origins = result.unmodelled.map((e) => e.origin);
    expect(origins).toContain("unrecorded accesses");
    expect(origins).toContain("past maxSteps");
  });
});

describe("code that runs after a thread function returned", () => {
  it("is still the thread's: its steps are scheduled and a race in it is found (it was E_DETERMINISM_LOST: another debugger?)", async () => {
    const { chains } = await import("../../fixtures/robustness/leftover-scenario.mjs");
    const result = await explore(chains, { seed: 3, maxAttempts: 100, reproduceOnFailure: 5, shrinkBudget: 20 });
    expect(result.propertyHolds).toBe(false);
    expect(result.reproduced).toEqual({ failures: 5, attempts: 5 });
    expect(result.explanation).toMatch(/leftover\.mjs:10:\d+\s+const seen = shared\.cells\[1\]/);
  });

  it("left running past the quiet limit (an interval) is E_RAN_AFTER_RETURN naming what is pending", async () => {
    const { interval } = await import("../../fixtures/robustness/leftover-scenario.mjs");
    const outcome = await explore(interval, { seed: 1, maxAttempts: 3, reproduceOnFailure: 0, shrinkBudget: 0 }).then(
      () => "settled",
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: "E_RAN_AFTER_RETURN", thread: "a" });
    expect(String((outcome as Error).message)).toMatch(/Thread "a" returned but left work running: Timeout still active 2000 ms/);
  });
});

describe("worker-thread scenarios explored from a worker thread (vitest pool: 'threads')", () => {
  it("fail at once with E_NOT_MAIN_THREAD naming pool 'forks'; process threads still run there", async () => {
    const { Worker } = await import("node:worker_threads");
    const code = `
      const { parentPort } = require("node:worker_threads");
      (async () => {
        const { explore, defineScenario, thread } = await import("interlace");
        const workers = (await import(${JSON.stringify(new URL("../../fixtures/robustness/long-loop-scenario.mjs", import.meta.url).href)})).default;
        const outcome = await explore(workers, { maxAttempts: 1 }).then(() => ({ code: "settled" }), (e) => ({ code: e.code, message: e.message }));
        const module = ${JSON.stringify(new URL("../../fixtures/errors/counter.mjs", import.meta.url).href)};
        const processes = defineScenario({ setup: () => ({ counter: new Int32Array(1) }), threads: { p1: thread.process(module, "bump"), p2: thread.process(module, "bump") } });
        const ran = await explore(processes, { strategy: "random", seed: 1, maxAttempts: 2 }).then((r) => ({ explored: r.numExplored }), (e) => ({ code: e.code, message: e.message }));
        parentPort.postMessage({ outcome, ran });
      })();`;
    const worker = new Worker(code, { eval: true });
    const message = await new Promise<{ outcome: { code: string; message: string }; ran: { explored?: number; code?: string; message?: string } }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(message.outcome.code).toBe("E_NOT_MAIN_THREAD");
    expect(message.outcome.message).toContain('use pool "forks"');
    expect(message.ran).toEqual({ explored: 2 });
  }, 60_000);
});
