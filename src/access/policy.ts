/**
 * The location policy of an access runtime: it decides, for each operation instrumented code
 * makes while a sink is set, whether it is recorded and under which location and label. The
 * runtime works out *what* an operation touches (a property, an element of an array or typed
 * array, a Map or Set entry, a collection as a whole, a private field); the policy names it.
 *
 * Task threads use `task-policy.ts` (every object: `Counter#1.value`). A policy for worker threads
 * might record only the elements of typed arrays backed by a SharedArrayBuffer, at
 * `sab#<id>@<byteOffset>`: every element operation, typed-array methods included, reaches
 * {@link AccessPolicy.locate} with the element's index.
 *
 * @module
 */
import type { UntracedCall } from "./callees.js";

/**
 * What an access touches within its target object, and what `key` then is:
 * - `property`: a property (`key`: the property key, a string or symbol, converted);
 * - `element`: an element of a (non-proxy) Array or typed array (`key`: its index, a number);
 * - `entry`: an entry of a Map, Set, WeakMap or WeakSet (`key`: the key, or the Set's value);
 * - `all`: the collection as a whole (`key`: undefined) — a Map's or Set's membership (its size
 *   and order), or an element range too long to record element by element;
 * - `private`: a private field (`key`: its name with the `#`).
 */
export type AccessPart = "property" | "element" | "entry" | "all" | "private";

/** An instrumented file, as shared-variable accesses name it. */
export interface VariableFile {
  /** Its index in this isolate (load order). */
  readonly index: number;
  /** Its `file:` URL. */
  readonly url: string;
  /** Its shared variables' names, by slot. */
  readonly names: readonly string[];
}

/** Where a recorded access is, for partial-order reduction (`location`) and for people (`label`). */
export interface AccessPlace {
  readonly location: string;
  readonly label?: string;
  /** Untraced effects: where the code came from (`Access.origin`). */
  readonly origin?: string;
}

/** Decides where accesses are and which are recorded. */
export interface AccessPolicy {
  /**
   * The place of an access to `part` of `target` (see {@link AccessPart} for `key`), or `null` to
   * record nothing. Called only while a sink is set, in the order the operations happen. It must
   * run no user code: no getters, no proxy traps (see `identities.ts` for safe inspection).
   */
  locate(target: object, part: AccessPart, key: unknown): AccessPlace | null;
  /**
   * The place of shared variable `slot` of an instrumented file, or `null` to record nothing
   * (worker threads: a variable is never shared between isolates).
   */
  variable?(file: VariableFile, slot: number): AccessPlace | null;
  /**
   * The place of an untraced effect (a call into code whose effects are not observed), or `null` to
   * record nothing. Task threads place every one at `WORLD` (`strategies/access.ts`).
   */
  world?(call: UntracedCall): AccessPlace | null;
  /** Whether to ask V8 where an unmarked JavaScript function comes from (`function-origin.ts`); else it counts as untraced. */
  readonly locateFunctions?: boolean;
  /** Restarts any numbering, so that a deterministic execution names its objects alike every time. */
  reset?(state?: unknown): void;
}
