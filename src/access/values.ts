/**
 * Short renderings of the values accesses read or write, for explanations (`Access.value`):
 * `1`, `-0`, `1n`, `true`, `null`, `undefined`, strings quoted and cut to
 * {@link MAX_STRING} characters, objects by their name (`Counter`, `Array`), functions as
 * `[Function name]`. Rendering runs no user code.
 *
 * @module
 */
import { types } from "node:util";
import { nameOf, ownName } from "./identities.js";

/** The longest string rendered whole; longer ones are cut, with `…`. */
export const MAX_STRING = 40;

/** Stands for the value of an access that has none known (a `delete`, a native write after `x`). */
export const UNKNOWN: unique symbol = Symbol("unknown value");

/** The rendering of `value` (see the module doc). */
export function renderValue(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string":
      return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return `Symbol(${value.description ?? ""})`;
    case "function":
      return types.isProxy(value) ? "Proxy" : `[Function ${ownName(value) ?? "anonymous"}]`;
    case "object":
      return value === null ? "null" : nameOf(value);
    default:
      return String(value); // boolean, undefined
  }
}
