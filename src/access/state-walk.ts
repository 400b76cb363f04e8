/**
 * A deterministic walk of the objects reachable from a run's state (what `setup()` returned).
 * Explorations name objects by number (`Account#2`), and a name must mean the same object in every
 * run, whatever order the threads first touch objects in: DPOR compares the accesses a replayed
 * step makes with those an earlier run recorded. Objects reachable from the state are therefore
 * numbered in this walk's order before the run starts; only objects made during the run are
 * numbered as they are first touched (usually by the one thread that made them).
 *
 * Breadth first, own enumerable string-keyed data properties in order (getters are not called,
 * proxies not entered), array elements, Map keys and values, Set values; at most {@link LIMIT}
 * objects.
 *
 * @module
 */
import { types } from "node:util";

/** The most objects numbered before a run. */
const LIMIT = 10_000;

/** Calls `visit` on every object reachable from `root` (root first), each once, in a deterministic order. */
export function walkState(root: unknown, visit: (o: object) => void): void {
  const seen = new Set<object>();
  const queue: unknown[] = [root];
  for (let i = 0; i < queue.length && seen.size < LIMIT; i++) {
    const value = queue[i];
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    visit(value);
    if (types.isProxy(value) || typeof value === "function") continue;
    if (value instanceof Map) {
      for (const [k, v] of value) queue.push(k, v);
    } else if (value instanceof Set) {
      for (const v of value) queue.push(v);
    }
    if (ArrayBuffer.isView(value)) continue;
    for (const key of Object.keys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) queue.push(descriptor.value);
    }
  }
}
