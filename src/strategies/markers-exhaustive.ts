/**
 * Exhaustive search over marker schedules — the exhaustive explorer of the Python original: every
 * order in which the threads can pass their markers, each exactly once.
 *
 * Only decisions between threads parked at markers branch. A thread parked at a start or await gate
 * is not a marker-level choice: it runs on without branching until it reaches a marker (or ends),
 * the previous thread first, then others in declaration order. So two runs always differ in the
 * order of marker passes, and the number of runs is the number of marker orders, not of
 * interleavings.
 */
import { DepthFirstSearch, previousFirst } from "./depth-first.js";
import type { Decision } from "./strategy.js";

/** Depth-first enumeration of the orders in which threads pass their markers. */
export class MarkersExhaustive extends DepthFirstSearch {
  readonly name = "markers";

  protected override choices(decision: Decision, _preemptions: number): readonly string[] {
    const { previous, runnable, atMarker } = decision;
    const gated = runnable.filter((_, i) => atMarker[i] !== true);
    if (gated.length > 0) return [previous !== null && gated.includes(previous) ? previous : (gated[0] as string)];
    return previousFirst(decision);
  }
}
