// @ts-check
/**
 * The location policy of the access runtime (`src/access/`) in a recorded worker, and the sink
 * that puts what it places into the thread's access ring.
 *
 * Only elements of typed arrays over a numbered SharedArrayBuffer (shared-buffers.mjs) are shared
 * between workers: `cells[i]`, `cells[i]++`, `view.fill(…)` and the other typed-array methods are
 * recorded, at `sab#<id>@<byteOffset>`; a range too long to record element by element
 * (`MAX_ELEMENTS`) at `sab#<id>@*`. Everything else (objects, plain arrays, private buffers,
 * SharedMutex cells) is placed nowhere, which costs one check.
 *
 * The runtime asks the policy for a place and then hands the sink an `Access` whose value it has
 * rendered to a string. The policy keeps the element it placed (id, byte offset, kind) and returns
 * one constant place, which the sink recognises: it takes the element back from the policy and
 * writes the ring entry, with the value parsed back from its rendering. A sink call without a
 * place just made (none expected) records nothing.
 */
import { FIRST_BIGINT_KIND, OP_READ, OP_WRITE, RING } from "./access-ring.mjs";

/** The place of every recorded element: what the sink recognises. */
const ELEMENT = Object.freeze({ location: "sab" });
/** The place of an untraced effect (a call out of traced code): a write of the outside world. */
const WORLD_PLACE = Object.freeze({ location: "world" });
/** Byte offset of a whole-array access in a ring entry (`sab#<id>@*`). */
export const WHOLE = -1;

/**
 * A policy and a sink for `createAccessRuntime(policy)` and `runtime.setSink(sink)`.
 * @param {import("./shared-recorder.mjs").SharedRecorder} recorder
 */
export function createElementPolicy(recorder) {
  /** Whether the last place returned is still to be recorded. */
  let placed = false;
  const policy = {
    /**
     * @param {object} target
     * @param {string} part
     * @param {unknown} key
     */
    locate(target, part, key) {
      if (part !== "element" && part !== "all") return null;
      placed = recorder.locate(target, part === "all" ? WHOLE : /** @type {number} */ (key));
      return placed ? ELEMENT : null;
    },
    // Module variables are per isolate: never shared between workers.
    variable() {
      return null;
    },
    // Untraced code may touch a SharedArrayBuffer it was given or keeps: the outside world.
    world() {
      return WORLD_PLACE;
    },
    locateFunctions: false,
  };
  /** @param {{ op: string, location: string, value?: string }} access */
  const sink = (access) => {
    if (access.location === WORLD_PLACE.location) {
      recorder.ring.put(OP_WRITE, RING.WORLD_ID, 0, 0, false, 0);
      return;
    }
    if (access.location !== ELEMENT.location || !placed) return;
    placed = false;
    const kind = recorder.placedKind;
    const op = access.op === "write" ? OP_WRITE : OP_READ;
    const value = access.value === undefined ? undefined : parseValue(access.value, kind);
    recorder.ring.put(op, recorder.placedId, recorder.placedOffset, kind, value !== undefined, value ?? 0);
  };
  return { policy, sink };
}

/**
 * A value rendered by the access runtime (`1`, `-0`, `NaN`, `5n`) back as the element holds it;
 * undefined for anything else.
 * @param {string} text
 * @param {number} kind
 */
function parseValue(text, kind) {
  if (kind >= FIRST_BIGINT_KIND) return /^-?\d+n$/.test(text) ? BigInt(text.slice(0, -1)) : undefined;
  const value = Number(text);
  return value === value || text === "NaN" ? value : undefined;
}
