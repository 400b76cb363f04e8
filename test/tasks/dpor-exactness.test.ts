// DPOR over task threads explores exactly one execution per Mazurkiewicz trace: the counts below
// are the numbers of equivalence classes of each program, checked under every search order (as
// the Python original's DPOR tests do). Shared accesses are recorded by the access transform (the
// plugin instruments this file); the Mutex is interlace's task mutex, which DPOR sees as a lock.
import { describe, expect, it } from "vitest";
import { explore, SEARCH_ORDERS, type ExploreResult } from "interlace";
import { Mutex } from "../../src/sync/mutex.js";

type Cells = Record<string, unknown>;

/** A scheduling point: every await is one for task threads. */
const yieldPoint = (): Promise<void> => Promise.resolve();

async function dpor(threads: Record<string, (state: Cells & { lock: Mutex }) => Promise<void>>, searchOrder: (typeof SEARCH_ORDERS)[number]): Promise<ExploreResult<unknown>> {
  const result = await explore({
    setup: () => ({ lock: new Mutex("lock") }) as Cells & { lock: Mutex },
    threads,
    strategy: "dpor",
    searchOrder,
    maxExecutions: 10_000,
    reproduceOnFailure: 0,
  });
  expect(result.propertyHolds).toBe(true);
  expect(result.complete).toBe(true);
  return result as ExploreResult<unknown>;
}

function threadsOf(n: number, body: (name: string, index: number) => (s: Cells & { lock: Mutex }) => Promise<void>) {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i + 1}`, body(`t${i + 1}`, i)]));
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe.each(SEARCH_ORDERS)("dpor over tasks, search order %s", (order) => {
  for (const n of [1, 2, 3, 4, 5]) {
    it(`${n} threads writing independent locations: 1 execution`, async () => {
      const result = await dpor(
        threadsOf(n, (name) => async (s) => {
          s[`own_${name}`] = 1;
          await yieldPoint();
          s[`own_${name}`] = (s[`own_${name}`] as number) + 1;
          await yieldPoint();
        }),
        order,
      );
      expect(result.numExplored).toBe(1);
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`two threads racing on ${n} shared locations: ${2 ** n} executions`, async () => {
      const result = await dpor(
        threadsOf(2, (name) => async (s) => {
          for (let k = 0; k < n; k++) {
            s[`x${k}`] = name;
            await yieldPoint();
          }
        }),
        order,
      );
      expect(result.numExplored).toBe(2 ** n);
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`${n} threads serialised by one lock: ${factorial(n)} executions`, async () => {
      const result = await dpor(
        threadsOf(n, () => async (s) => {
          await s.lock.lock();
          s["count"] = ((s["count"] as number | undefined) ?? 0) + 1;
          await yieldPoint();
          s["last"] = s["count"];
          s.lock.unlock();
        }),
        order,
      );
      expect(result.numExplored).toBe(factorial(n));
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`two threads racing on ${n} locations under one lock: 2 executions`, async () => {
      const result = await dpor(
        threadsOf(2, (name) => async (s) => {
          await s.lock.withLock(async () => {
            for (let k = 0; k < n; k++) {
              s[`x${k}`] = name;
              await yieldPoint();
            }
          });
        }),
        order,
      );
      expect(result.numExplored).toBe(2);
    });
  }
});
