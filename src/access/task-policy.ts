/**
 * The location policy of task threads: every object instrumented code touches is recorded, under
 * its identity (`identities.ts`): `Counter#1.value` labelled `Counter.value`, `Array#2[0]`,
 * `Map#3[key:"a"]`, `Map#3[*]` (membership), `Counter#1.#count`. Labels drop the id.
 *
 * @module
 */
import { Identities } from "./identities.js";
import type { AccessPart, AccessPlace, AccessPolicy } from "./policy.js";
import { walkState } from "./state-walk.js";

/**
 * Creates the task policy; `reset(state)` restarts its numbering (`#1` again), numbering the
 * objects reachable from `state` first (see `state-walk.ts`), so that names agree across runs.
 */
export function createTaskPolicy(): AccessPolicy {
  let ids = new Identities();
  return {
    locate(target: object, part: AccessPart, key: unknown): AccessPlace {
      const { location, name } = ids.of(target);
      const suffix =
        part === "property" ? ids.property(key as PropertyKey)
        : part === "element" ? `[${key as number}]`
        : part === "entry" ? ids.entry(key)
        : part === "private" ? `.${key as string}`
        : "[*]";
      return { location: location + suffix, label: name + suffix };
    },
    reset(state?: unknown): void {
      ids = new Identities();
      if (state !== undefined) walkState(state, (o) => ids.of(o));
    },
  };
}
