// Timers and the scheduler: a background (unref'ed) timer is not work a decision waits for, and a
// task that sleeps past the run's timeout is reported with where its timer was armed.
import { describe, expect, it } from "vitest";
import { explore } from "interlace";
import { Cache } from "../../fixtures/tasks/background-timer.js";

describe("timers", () => {
  it("an unref'ed 60 s timer armed by traced code does not stall the search: the lost update is found at once", async () => {
    const started = Date.now();
    const result = await explore({
      setup: () => new Cache(),
      threads: [(c) => c.increment(), (c) => c.increment()],
      invariant: (c) => c.value === 2,
      teardown: (c) => clearTimeout(c.expiry),
      seed: 1,
      timeout: 5_000,
    });
    expect(result.propertyHolds).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // far from the timeout: no attempt waited for the timer
  });

  it("a task sleeping past the timeout: E_TIMEOUT names the timer and where it was armed", async () => {
    const run = explore({ setup: () => new Cache(), threads: [(c) => c.sleep(5_000)], strategy: "random", seed: 1, timeout: 300 });
    await expect(run).rejects.toMatchObject({ code: "E_TIMEOUT" });
    await expect(run).rejects.toThrow(/a timer armed at .*fixtures\/tasks\/background-timer\.ts:\d+:\d+/);
  });
});
