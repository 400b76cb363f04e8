/**
 * Shrinking: after a failing attempt, look for a failing interleaving with fewer preemptions
 * (context switches away from a task that could have continued), which is usually far shorter and
 * easier to read. Preemption-bounded exhaustive search (Musuvathi & Qadeer, PLDI 2007) with bounds
 * 0, 1, … below the original's count: the first failure of the same kind found has the fewest
 * preemptions possible, and depth-first order (keep running the previous task first) keeps it short.
 */
import { Exhaustive } from "../strategies/index.js";
import type { Attempt } from "./task-attempt.js";
import type { Strategy } from "../strategies/index.js";

/** A smaller failing attempt and the runs it took to find it. */
export interface Shrunk<S> {
  attempt: Attempt<S>;
  runs: number;
}

/** Searches for a failure of the same kind with fewer preemptions, within `budget` runs (and until `stop()`); `null` when none. */
export async function shrink<S>(
  attemptWith: (strategy: Strategy) => Promise<Attempt<S>>,
  found: Attempt<S>,
  budget: number,
  stop: () => boolean = () => false,
): Promise<Shrunk<S> | null> {
  const kind = found.failure?.kind;
  const preemptions = countPreemptions(found);
  let runs = 0;
  for (let bound = 0; bound < preemptions && runs < budget; bound++) {
    const strategy = new Exhaustive({ preemptionBound: bound });
    for (let run = 0; runs < budget && !stop() && strategy.beginRun(run); run++) {
      const candidate = await attemptWith(strategy);
      runs += 1;
      try {
        strategy.endRun(candidate.failure !== null);
      } catch {
        return null; // the program is not deterministic under control: keep the original
      }
      if (candidate.failure !== null && candidate.failure.kind === kind) return { attempt: candidate, runs };
    }
  }
  return null;
}

export function countPreemptions(run: Attempt<unknown>): number {
  return run.steps.filter((s) => s.preemption).length;
}
