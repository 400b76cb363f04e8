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

/** Where a recorded access is, for partial-order reduction (`location`) and for people (`label`). */
export interface AccessPlace {
  readonly location: string;
  readonly label?: string;
}

/** Decides where accesses are and which are recorded. */
export interface AccessPolicy {
  /**
   * The place of an access to `part` of `target` (see {@link AccessPart} for `key`), or `null` to
   * record nothing. Called only while a sink is set, in the order the operations happen. It must
   * run no user code: no getters, no proxy traps (see `identities.ts` for safe inspection).
   */
  locate(target: object, part: AccessPart, key: unknown): AccessPlace | null;
  /** Restarts any numbering, so that a deterministic execution names its objects alike every time. */
  reset?(state?: unknown): void;
}
