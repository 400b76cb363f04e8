/**
 * The location policy of task threads: every object instrumented code touches is recorded, under
 * its identity (`identities.ts`): `Counter#1.value` labelled `Counter.value`, `Array#2[0]`,
 * `Map#3[key:"a"]`, `Map#3[*]` (membership), `Counter#1.#count`. Labels drop the id.
 *
 * @module
 */
import { Identities } from "./identities.js";
import type { AccessPart, AccessPlace, AccessPolicy, VariableFile } from "./policy.js";
import { walkState } from "./state-walk.js";
import type { UntracedCall } from "./callees.js";
import { WORLD } from "../strategies/access.js";

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
    variable(file: VariableFile, slot: number): AccessPlace {
      // `counter.ts:balance`: readable where labels must be told apart, and the same in every run.
      // Two files with one base name and one variable name share it (conservative: more dependence).
      const name = file.names[slot] ?? `#${slot}`;
      const twice = file.names.indexOf(name) !== slot;
      const base = file.url.slice(file.url.lastIndexOf("/") + 1).replace(/[?#].*$/, "");
      return { location: `${base}:${name}${twice ? `#${slot}` : ""}`, label: name };
    },
    world(call: UntracedCall): AccessPlace {
      return { location: WORLD, label: `untraced ${call.origin === "native" ? "native code" : call.origin}: ${call.callee}`, origin: call.origin };
    },
    locateFunctions: true,
    reset(state?: unknown): void {
      ids = new Identities();
      if (state !== undefined) walkState(state, (o) => ids.of(o));
    },
  };
}
