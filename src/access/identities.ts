/**
 * Names of objects, symbols, property keys and collection entries in locations, found without
 * running user code (no getters, no proxy traps), and numbered in first-recorded order:
 *
 * - an object is `<Name>#<id>`: `Name` is its constructor's name (`Object` for plain and
 *   null-prototype objects, a function's own name for functions and classes, `Proxy` for proxies,
 *   `Module` for namespace objects), `id` a number from a WeakMap, both fixed when the object is
 *   first named;
 * - a property is `.value`, `[0]` (array indices), `["a b"]` (other strings), `[Symbol.iterator]`,
 *   `[Symbol.for("k")]` or `[Symbol(desc)#4]`;
 * - a Map key or Set value is `[key:"a"]`, encoded by SameValueZero (`1`, `0` for -0, `NaN`, `1n`,
 *   `true`, `null`, `undefined`, symbols as above, objects as `<Name>#<id>`).
 *
 * @module
 */
import { types } from "node:util";
import { getOwnPropertyDescriptor, getPrototypeOf, isObject, type Bag } from "./intrinsics.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** A canonical array index (`"0"`, `"17"`; not `"01"` nor `"-1"`). */
export const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

const WELL_KNOWN = new Map<symbol, string>(
  Object.getOwnPropertyNames(Symbol).flatMap((name) => {
    const value: unknown = (Symbol as unknown as Bag)[name];
    return typeof value === "symbol" ? [[value, `Symbol.${name}`] as const] : [];
  }),
);

/** The name an object is shown by (see the module doc), found without running user code. */
export function nameOf(o: object): string {
  if (types.isProxy(o)) return "Proxy";
  if (types.isModuleNamespaceObject(o)) return "Module";
  if (typeof o === "function") return ownName(o) ?? "Function";
  const proto = getPrototypeOf(o) as object | null;
  const constructor: unknown = proto === null ? undefined : getOwnPropertyDescriptor(proto, "constructor")?.value;
  return (typeof constructor === "function" ? ownName(constructor) : undefined) ?? "Object";
}

/** A function's own `name` (a data property), made identifier-safe; undefined when it has none. */
export function ownName(f: object): string | undefined {
  const name: unknown = getOwnPropertyDescriptor(f, "name")?.value;
  return typeof name === "string" && name !== "" ? name.replace(/[^\w$]/g, "_") : undefined;
}

/** An object's location prefix (`Counter#1`) and label prefix (`Counter`). */
export interface Identity {
  readonly location: string;
  readonly name: string;
}

/** Numbers objects and symbols in the order they are first named. */
export class Identities {
  #objects = new WeakMap<object, Identity>();
  #symbols = new WeakMap<symbol, number>();
  #next = 1;

  of(o: object): Identity {
    let identity = this.#objects.get(o);
    if (identity === undefined) {
      const name = nameOf(o);
      identity = { location: `${name}#${this.#next++}`, name };
      this.#objects.set(o, identity);
    }
    return identity;
  }

  symbol(sym: symbol): string {
    const registered = Symbol.keyFor(sym);
    if (registered !== undefined) return `Symbol.for(${JSON.stringify(registered)})`;
    const known = WELL_KNOWN.get(sym);
    if (known !== undefined) return known;
    let id = this.#symbols.get(sym);
    if (id === undefined) this.#symbols.set(sym, (id = this.#next++));
    return `Symbol(${sym.description ?? ""})#${id}`;
  }

  /** `.value`, `[0]`, `["a b"]`, `[Symbol.iterator]`. */
  property(key: PropertyKey): string {
    if (typeof key === "symbol") return `[${this.symbol(key)}]`;
    const text = String(key);
    if (IDENTIFIER.test(text)) return `.${text}`;
    return ARRAY_INDEX.test(text) ? `[${text}]` : `[${JSON.stringify(text)}]`;
  }

  /** `[key:"a"]`: a Map key or Set value, by SameValueZero. */
  entry(key: unknown): string {
    let text: string;
    if (typeof key === "string") text = JSON.stringify(key);
    else if (typeof key === "number") text = Object.is(key, -0) ? "0" : String(key);
    else if (typeof key === "bigint") text = `${key}n`;
    else if (typeof key === "symbol") text = this.symbol(key);
    else if (isObject(key)) text = this.of(key).location;
    else text = String(key);
    return `[key:${text}]`;
  }
}
