// Callback boundaries are scheduling points: a check made now and acted on in a deferred callback
// (setImmediate, process.nextTick, a promise's then) races with another task that runs in between.
// Before callbacks were gates the callback always ran before any other task, and every strategy
// reported that the property holds. Runs in the "tasks" project (the plugin instruments fixtures).
import { describe, expect, it } from "vitest";
import { explore, parseCounterexample, replay, type ExploreOptions } from "interlace";
import { Slots, type Defer } from "../../fixtures/tasks/deferred.js";
import { Job } from "../../fixtures/tasks/listener.js";

const DEFERS: Defer[] = ["setImmediate", "nextTick", "then"];

function racy(defer: Defer): ExploreOptions<Slots> {
  return { name: `deferred-${defer}`, setup: () => new Slots(defer), threads: [(s) => s.reserve(), (s) => s.reserve()], invariant: (s) => s.taken <= 1 };
}

function safe(defer: Defer): ExploreOptions<Slots> {
  return { name: `deferred-safe-${defer}`, setup: () => new Slots(defer), threads: [(s) => s.reserveSafely(), (s) => s.reserveSafely()], invariant: (s) => s.taken === 1 };
}

describe.each(DEFERS)("a check acted on in a %s callback", (defer) => {
  it("is found by the default strategy on 20/20 seeds (1..20), and the counterexample replays 3/3 from its JSON", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...racy(defer), seed, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      if (seed === 1) {
        const counterexample = parseCounterexample(JSON.stringify(result.counterexample));
        const replayed = await replay(racy(defer), counterexample, 3);
        expect(replayed.failures).toBe(3);
        expect(replayed.explanation).toMatch(new RegExp(`${defer === "nextTick" ? "nextTick" : defer} callback of`));
      }
    }
  });

  it("the safe twin (check inside the callback) holds, and DPOR's search of it is complete", async () => {
    const result = await explore({ ...safe(defer), strategy: "dpor", seed: 1 });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
  });
});

describe("an event listener acting on a check made when it subscribed", () => {
  const options = (recheck: boolean): ExploreOptions<Job> => ({
    setup: () => new Job(),
    threads: { w1: (j) => j.work("w1", recheck), w2: (j) => j.work("w2", recheck) },
    invariant: (j) => j.owners.length === 1,
  });

  it("is found when the event comes from the event loop (a stream's data): seeds 1..10", async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await explore({ ...options(false), seed, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
    }
  });

  it("the twin that looks again inside the listener holds over 100 runs", async () => {
    const result = await explore({ ...options(true), seed: 1, maxAttempts: 100 });
    expect(result.propertyHolds).toBe(true);
  });

  it("a listener that a traced emit() calls runs at once, as natively (no gate between emit and listener)", async () => {
    const result = await explore({
      setup: () => ({ seen: [] as string[] }),
      threads: {
        a: async (s) => {
          const { EventEmitter } = await import("node:events");
          const e = new EventEmitter();
          e.on("x", () => s.seen.push("listener"));
          e.emit("x");
          s.seen.push("after emit");
        },
      },
      invariant: (s) => s.seen.join(",") === "listener,after emit",
      strategy: "exhaustive",
    });
    expect(result.propertyHolds).toBe(true);
  });
});
