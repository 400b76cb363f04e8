/**
 * The two helper objects instrumented code holds across a sub-expression: a compound or logical
 * assignment between its read and its write ({@link Pending}), and an optional chain's value
 * link by link ({@link Chain}). Both perform their operations through the runtime, which records
 * them.
 *
 * @module
 */
import { apply, type Bag } from "./intrinsics.js";
import type { ChainValue, CompoundOperator, PendingAssignment } from "./protocol.js";

/** The runtime's operations, as the helper objects use them. */
export interface Operations {
  /** `k` converted for a read of `o` when it is recorded, else `k` itself (the read converts it). */
  readKey(o: unknown, k: unknown): unknown;
  /** Records the read of `o[key]` that gave `value` (a no-op unless recording). */
  readDone(o: unknown, key: unknown, value: unknown): void;
  /** `o[k] = v` in strict or sloppy code, recorded. */
  put(o: unknown, k: unknown, v: unknown, strict: boolean): void;
  /** `delete o[k]` in strict or sloppy code, recorded. */
  remove(o: unknown, k: unknown, strict: boolean): boolean;
  /** Records the effect of calling `receiver[key](...args)` on a collection. */
  /** A call link is about to call `fn` on `receiver` (`key`: the member it was read from, if any). */
  called(receiver: unknown, key: unknown, args: readonly unknown[], fn: unknown): void;
}

/**
 * A compound or logical assignment between its read and its write. One is allocated per
 * assignment: its fields are `declare`d, assigned in the constructor (field definitions would
 * cost as much again).
 */
export class Pending implements PendingAssignment {
  declare readonly ops: Operations;
  declare readonly o: unknown;
  declare readonly k: unknown;
  declare readonly v: unknown;
  declare readonly strict: boolean;

  constructor(ops: Operations, o: unknown, k: unknown, v: unknown, strict: boolean) {
    this.ops = ops;
    this.o = o;
    this.k = k;
    this.v = v;
    this.strict = strict;
  }

  w(op: CompoundOperator, rhs: unknown): unknown {
    const value = combine(this.v, op, rhs);
    this.ops.put(this.o, this.k, value, this.strict);
    return value;
  }
}

/** An optional chain's value, with the receiver and key of its last member link. */
export class Chain implements ChainValue {
  #receiver: unknown = undefined;
  #key: unknown = undefined;

  constructor(
    readonly ops: Operations,
    public v: unknown,
  ) {}

  n(): ChainValue | null {
    return this.v == null ? null : this;
  }

  g(k: unknown): ChainValue {
    const o = this.v;
    const key = this.ops.readKey(o, k);
    this.#receiver = o;
    this.#key = key;
    this.v = (o as Bag)[key as PropertyKey];
    this.ops.readDone(o, key, this.v);
    return this;
  }

  c(...args: unknown[]): ChainValue {
    const f = this.v;
    const receiver = this.#receiver;
    const key = this.#key;
    this.#receiver = this.#key = undefined;
    this.ops.called(receiver, key, args, f);
    if (typeof f !== "function") throw new TypeError(`${String(key ?? "expression")} is not a function`);
    this.v = apply(f, receiver, args);
    return this;
  }

  d(k: unknown): boolean {
    return !this.ops.remove(this.v, k, true);
  }

  D(k: unknown): boolean {
    return !this.ops.remove(this.v, k, false);
  }
}

/**
 * `value op rhs` with JavaScript's own operators (`"="`: `rhs`). In this module, beside its one
 * caller: V8 inlines it there, not across a module boundary (a third of a compound assignment's cost).
 */
function combine(value: unknown, op: CompoundOperator, rhs: unknown): unknown {
  // The casts only satisfy the type checker: the operators apply to any values, as in the source.
  const a = value as number;
  const b = rhs as number;
  switch (op) {
    case "=": return rhs;
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return a / b;
    case "%": return a % b;
    case "**": return a ** b;
    case "<<": return a << b;
    case ">>": return a >> b;
    case ">>>": return a >>> b;
    case "&": return a & b;
    case "|": return a | b;
    case "^": return a ^ b;
  }
}
