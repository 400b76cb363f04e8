// explore({ strategy: "dpor" }) over fixtures/dpor, each in TypeScript and in JavaScript: the
// counter's lost update, and dining philosophers (a lock-order deadlock on interlace's Mutex) with
// their ordered twin. DPOR explores one execution per class of equivalent interleavings, so the
// complete searches below have exact counts. Runs in the "tasks" project: the plugin instruments
// the fixtures as they load, recording the shared accesses DPOR needs.
import { describe, expect, it } from "vitest";
import { explore, replay, SEARCH_ORDERS, type ExploreOptions } from "interlace";
import * as counterJs from "../../fixtures/dpor/counter.mjs";
import * as counterTs from "../../fixtures/dpor/counter.js";
import * as philosophersJs from "../../fixtures/dpor/dining-philosophers.mjs";
import * as philosophersTs from "../../fixtures/dpor/dining-philosophers.js";

/** Each twin's state types differ; the tables erase them (explore() takes any state). */
const erase = <S>(options: ExploreOptions<S>) => options as unknown as ExploreOptions<unknown>;

const COUNTERS = [
  { file: "counter.ts", buggy: () => erase(counterTs.buggy()), safe: () => erase(counterTs.safe()) },
  { file: "counter.mjs", buggy: () => erase(counterJs.buggy()), safe: () => erase(counterJs.safe()) },
];
const TABLES = [
  { file: "dining-philosophers.ts", philosophers: (n: number) => erase(philosophersTs.philosophers(n)), ordered: (n: number) => erase(philosophersTs.orderedPhilosophers(n)) },
  { file: "dining-philosophers.mjs", philosophers: (n: number) => erase(philosophersJs.philosophers(n)), ordered: (n: number) => erase(philosophersJs.orderedPhilosophers(n)) },
];

const MAX = 10_000;
const quiet = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

describe.each(COUNTERS)("$file", ({ buggy, safe }) => {
  // Each increment is two steps: read (up to the await), write. The first run is serial (t1, then
  // t2) and holds; its one race is t1's write against t2's read, and the run reversing it (t2 reads
  // before t1 writes) loses an update whichever write comes last.
  it.each(SEARCH_ORDERS)("dpor (%s) finds the lost update in its 2nd execution", async (searchOrder) => {
    const result = await explore({ ...buggy(), strategy: "dpor", searchOrder, maxExecutions: MAX, ...quiet });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample?.failure.kind).toBe("invariant");
    expect(result.numExplored).toBe(2);
  });

  // Of the 6 interleavings, the two reads commute; the 4 classes left are: t1 first, t2 first, both
  // read then t1 writes last, both read then t2 writes last. Two of them lose an update.
  it.each(SEARCH_ORDERS)("complete dpor (%s): 4 executions, 2 failing", async (searchOrder) => {
    const result = await explore({ ...buggy(), strategy: "dpor", searchOrder, maxExecutions: MAX, stopOnFirst: false, ...quiet });
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(4);
    expect(result.numFailed).toBe(2);
  });

  it("complete exhaustive: all 6 interleavings, 4 failing", async () => {
    const result = await explore({ ...buggy(), strategy: "exhaustive", maxAttempts: MAX, stopOnFirst: false, ...quiet });
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(6);
    expect(result.numFailed).toBe(4);
  });

  // Under the lock only the order in which the two increments take it is left.
  it.each(SEARCH_ORDERS)("locked twin, complete dpor (%s): holds in 2 executions", async (searchOrder) => {
    const result = await explore({ ...safe(), strategy: "dpor", searchOrder, maxExecutions: MAX, ...quiet });
    expect(result.propertyHolds, result.explanation ?? "").toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });
});

describe.each(TABLES)("$file", ({ philosophers, ordered }) => {
  describe.each([3, 4, 5])("%i philosophers", (n) => {
    it.each(SEARCH_ORDERS)("dpor (%s) finds the deadlock, with its cycle, and it replays 5/5", async (searchOrder) => {
      const result = await explore({ ...philosophers(n), strategy: "dpor", searchOrder, maxExecutions: MAX, ...quiet });
      expect(result.propertyHolds).toBe(false);
      expect(result.numExplored).toBeLessThanOrEqual(2 ** n - 1); // every trace (see below)
      expect(result.counterexample?.failure.kind).toBe("deadlock");
      expect(result.explanation).toContain("Cycle:");
      for (let i = 0; i < n; i++) expect(result.explanation).toContain(`fork${i}`);
      const again = await replay(philosophers(n), result.counterexample!, 5);
      expect(again).toMatchObject({ failures: 5, attempts: 5 });
    });
  });

  // A trace of the ordered table is fixed by the order in which each fork's two philosophers take
  // it: 2³ = 8 choices, of which 2 are cyclic (p0 before p2 on fork 0, p1 before p0 on fork 1 and
  // p2 before p1 on fork 2, and its mirror image) and cannot happen: 6 executions.
  it.each(SEARCH_ORDERS)("ordered twin, 3 philosophers, complete dpor (%s): holds in 6 executions", async (searchOrder) => {
    const result = await explore({ ...ordered(3), strategy: "dpor", searchOrder, maxExecutions: MAX, ...quiet });
    expect(result.propertyHolds, result.explanation ?? "").toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(6);
  });

  // Fork i is shared by philosophers i and i − 1, and a trace is fixed by which of them takes it
  // first: 2ⁿ choices. All-first-users-first is the deadlock (one trace: each fork taken once);
  // all-second-users-first is cyclic and cannot happen. So 2ⁿ − 2 complete traces + 1 deadlock.
  // The ordered twin of 4 has 2⁴ = 16 choices too, 2 of them cyclic: 14. (Counts checked against a
  // model enumerating every interleaving of acquire/release, and for 3 philosophers against the
  // lock orders seen by exhaustive's 148 029 interleavings.)
  it.each(SEARCH_ORDERS)("complete dpor (%s), 3 philosophers: 7 executions, 1 deadlock", async (searchOrder) => {
    const result = await explore({ ...philosophers(3), strategy: "dpor", searchOrder, maxExecutions: MAX, stopOnFirst: false, ...quiet });
    expect(result.complete).toBe(true);
    expect([result.numExplored, result.numFailed]).toEqual([7, 1]);
  });

  it.each(SEARCH_ORDERS)("complete dpor (%s), 4 philosophers: 15 executions, 1 deadlock", async (searchOrder) => {
    const result = await explore({ ...philosophers(4), strategy: "dpor", searchOrder, maxExecutions: MAX, stopOnFirst: false, ...quiet });
    expect(result.complete).toBe(true);
    expect([result.numExplored, result.numFailed]).toEqual([15, 1]);
  });

  it.each(SEARCH_ORDERS)("ordered twin, 4 philosophers, complete dpor (%s): holds in 14 executions", async (searchOrder) => {
    const result = await explore({ ...ordered(4), strategy: "dpor", searchOrder, maxExecutions: MAX, ...quiet });
    expect(result.propertyHolds, result.explanation ?? "").toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(14);
  });
});
