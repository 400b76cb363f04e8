/**
 * Turns the operations instrumented code makes into {@link Access}es for the sink, placed by the
 * runtime's policy. Exists only while a sink is set: the runtime's one null check.
 *
 * @module
 */
import type { Access } from "../strategies/access.js";
import { MAX_ELEMENTS, kindOf, recordCall, recordIteration, type EffectRecorder, type Kind } from "./collections.js";
import { ARRAY_INDEX } from "./identities.js";
import type { AccessPart, AccessPlace, AccessPolicy, VariableFile } from "./policy.js";
import type { UntracedCall } from "./callees.js";
import { AccessMode, type AccessSink } from "./protocol.js";
import { UNKNOWN, renderValue } from "./values.js";

/** Records operations on objects as accesses. */
export class Tracker implements EffectRecorder {
  readonly #sink: AccessSink;
  readonly #policy: AccessPolicy;
  /** While the sink runs: a sink in instrumented code records nothing of its own. */
  #inSink = false;

  constructor(sink: AccessSink, policy: AccessPolicy) {
    this.#sink = sink;
    this.#policy = policy;
  }

  emit(op: "read" | "write", o: object, part: AccessPart, key: unknown, value: unknown): void {
    if (this.#inSink) return;
    const place = this.#policy.locate(o, part, key);
    if (place !== null) this.#emitAt(op, place, value);
  }

  /** An access of shared variable `slot` of `file`; `value` what was read or written. */
  variable(op: "read" | "write", file: VariableFile, slot: number, value: unknown): void {
    if (this.#inSink) return;
    const place = this.#policy.variable?.(file, slot) ?? null;
    if (place !== null) this.#emitAt(op, place, value);
  }

  /** A call whose effects are not observed: a write of the outside world, when the policy places it. */
  untraced(call: UntracedCall): void {
    if (this.#inSink) return;
    const place = this.#policy.world?.(call) ?? null;
    if (place !== null) this.#emitAt("write", place, UNKNOWN);
  }

  #emitAt(op: "read" | "write", place: AccessPlace, value: unknown): void {
    const access: Access = { op, location: place.location };
    if (place.label !== undefined) access.label = place.label;
    if (place.origin !== undefined) access.origin = place.origin;
    if (value !== UNKNOWN) access.value = renderValue(value);
    this.#inSink = true;
    try {
      this.#sink(access);
    } finally {
      this.#inSink = false;
    }
  }

  range(op: "read" | "write", o: object, from: number, to: number, value: unknown = UNKNOWN): void {
    if (to - from > MAX_ELEMENTS) return this.emit(op, o, "all", undefined, UNKNOWN);
    for (let i = from; i < to; i++) this.emit(op, o, "element", i, value);
  }

  /** A property read; `value` is what it read. `size` of a Map or Set reads its membership instead. */
  read(o: object, key: PropertyKey, value: unknown): void {
    if (key === "size") {
      const kind = kindOf(o);
      if (kind === "map" || kind === "set") return this.emit("read", o, "all", undefined, UNKNOWN);
    }
    this.#property("read", o, key, value);
  }

  /**
   * A property write of `value`. On an array, writing past the end also writes `length`, and
   * shrinking `length` writes the elements it removes (`value` unknown: all of them).
   */
  write(o: object, key: PropertyKey, value: unknown): void {
    const kind = this.#property("write", o, key, value);
    if (kind !== "array" || typeof key === "symbol") return;
    const length = (o as unknown[]).length;
    if (key === "length") {
      const kept = typeof value === "number" && value >= 0 ? Math.min(value, length) : 0;
      this.range("write", o, kept, length);
    } else if (ARRAY_INDEX.test(String(key)) && Number(key) >= length) {
      this.emit("write", o, "property", "length", UNKNOWN);
    }
  }

  private(o: object, name: string, mode: AccessMode, value: unknown = UNKNOWN): void {
    if (mode !== AccessMode.Write) this.emit("read", o, "private", name, UNKNOWN);
    if (mode !== AccessMode.Read) this.emit("write", o, "private", name, value);
  }

  /** The effect on the collection `o` of calling its method `key` with `args`. */
  call(o: object, key: PropertyKey, args: readonly unknown[]): void {
    recordCall(this, o, key, args);
  }

  /** Iterating `o` reads all of it (recorded when iteration starts). */
  iterate(o: object): void {
    recordIteration(this, o);
  }

  /**
   * A property access, as an element when `o` is a real array or typed array and `key` one of its
   * indices. Returns `o`'s collection kind when `key` is an index or `length` (for the length
   * effects of array writes).
   */
  #property(op: "read" | "write", o: object, key: PropertyKey, value: unknown): Kind | null {
    const kind = typeof key === "string" && (key === "length" || ARRAY_INDEX.test(key)) ? kindOf(o) : null;
    if ((kind === "array" || kind === "typed") && key !== "length") this.emit(op, o, "element", Number(key), value);
    else this.emit(op, o, "property", key, value);
    return kind;
  }
}
