/**
 * Folding long traces: the steps one thread takes between two switches are a segment; in a long
 * trace, the inside of a long segment collapses into one expandable column. The first and last step
 * of a segment stay visible, and so does every step a conflict arrow starts or ends at.
 *
 * Pure: no I/O.
 */

/** Traces longer than this are folded. */
export const LONG_TRACE = 40;
/** Segments shorter than this are never folded. */
export const FOLD_MIN_SEGMENT = 5;
/** Fewer hidden steps than this are not worth a fold. */
const FOLD_MIN_HIDDEN = 2;

/** Consecutive steps of one lane hidden behind one column (0-based, inclusive). */
export interface Fold {
  lane: number;
  from: number;
  to: number;
  count: number;
}

/**
 * The folds of a trace, in step order.
 * @param lanes - The lane of each step.
 * @param pinned - Steps that must stay visible (conflict endpoints).
 */
export function foldSteps(lanes: readonly number[], pinned: ReadonlySet<number>, longTrace = LONG_TRACE): Fold[] {
  if (lanes.length <= longTrace) return [];
  const folds: Fold[] = [];
  let start = 0;
  for (let i = 1; i <= lanes.length; i++) {
    if (i < lanes.length && lanes[i] === lanes[start]) continue;
    // Segment [start, i - 1].
    if (i - start >= FOLD_MIN_SEGMENT) folds.push(...foldInside(lanes[start]!, start + 1, i - 2, pinned));
    start = i;
  }
  return folds;
}

/** Maximal runs of unpinned steps in [from, to] of one lane. */
function foldInside(lane: number, from: number, to: number, pinned: ReadonlySet<number>): Fold[] {
  const out: Fold[] = [];
  let run = -1;
  for (let s = from; s <= to + 1; s++) {
    const hidden = s <= to && !pinned.has(s);
    if (hidden && run < 0) run = s;
    if (!hidden && run >= 0) {
      if (s - run >= FOLD_MIN_HIDDEN) out.push({ lane, from: run, to: s - 1, count: s - run });
      run = -1;
    }
  }
  return out;
}
