// @ts-check
/**
 * Work a thread function leaves behind when it returns: a promise chain of a package that goes on,
 * a timer it armed, a file it is still writing. That code belongs to the thread's run, so the
 * thread reports that it returned only once the isolate is quiet again: no more refed resources
 * (timers, immediates, handles, requests; `process.getActiveResourcesInfo()`) than when its
 * function was called. Meanwhile the leftover code pauses at breakpoints like the rest of the
 * thread and is scheduled as its last steps. Bounded: past {@link QUIET_LIMIT_MS} (a `setInterval`
 * that never ends) the thread reports anyway, and what still runs after is reported precisely by
 * the controller (`E_RAN_AFTER_RETURN`). Unref'd timers keep nothing alive and are not waited for.
 */

/** How long a returned thread's leftover work may take before it is reported regardless. */
export const QUIET_LIMIT_MS = 2000;

/** @returns {Map<string, number>} the refed resources keeping the event loop alive, by type */
export function activeResources() {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/**
 * @param {Map<string, number>} baseline
 * @param {Map<string, number>} now
 * @returns the resource types `now` has more of than `baseline`, sorted
 */
function beyond(baseline, now) {
  return [...now].filter(([type, count]) => count > (baseline.get(type) ?? 0)).map(([type]) => type).sort();
}

/**
 * Resolves once microtasks ran out and no resource is pending beyond `baseline`: with `[]` if
 * quiet, or with the resource types still pending once {@link QUIET_LIMIT_MS} passed.
 * @param {Map<string, number>} baseline from {@link activeResources} before the function was called
 * @returns {Promise<string[]>}
 */
export async function untilQuiet(baseline, limitMs = QUIET_LIMIT_MS) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const pending = beyond(baseline, activeResources());
    if (pending.length === 0 || Date.now() >= deadline) return pending;
  }
}
