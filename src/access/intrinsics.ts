/**
 * JavaScript operations as the access runtime performs them on behalf of instrumented code, with
 * intrinsics captured at load, before user code can replace them: the runtime itself never runs
 * user code beyond the operation the source asked for.
 *
 * @module
 */
import { types } from "node:util";
/** Any object, for indexing with a property key. */
export type Bag = Record<PropertyKey, unknown>;

const { isProxy } = types;

export const { apply, ownKeys, set: reflectSet, deleteProperty } = Reflect;
export const { getPrototypeOf, getOwnPropertyDescriptor } = Object;
export const { isArray } = Array;

/** Whether `value` can have properties of its own (an object or a function). */
export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/** ToPropertyKey: what a property access converts its key to. Objects are converted exactly once. */
export function toKey(k: unknown): PropertyKey {
  if (typeof k === "string" || typeof k === "symbol") return k;
  if (!isObject(k)) return String(k);
  // A computed property name runs the same conversion as a property access (ToPrimitive, then ToString).
  const [key] = ownKeys({ [k as unknown as PropertyKey]: 0 });
  return key ?? String(k);
}

/** Sloppy-mode `o[k] = v`: a failed [[Set]] returns quietly. `null`/`undefined` still throw. */
export function sloppySet(o: unknown, k: unknown, v: unknown): void {
  if (o == null) (o as unknown as Bag)[k as PropertyKey] = v;
  else reflectSet(Object(o) as object, k as PropertyKey, v, o);
}

/** Sloppy-mode `delete o[k]`: false instead of a TypeError for a non-configurable property. */
export function sloppyDelete(o: unknown, k: unknown): boolean {
  if (o == null) return delete (o as unknown as Bag)[k as PropertyKey];
  return deleteProperty(Object(o) as object, k as PropertyKey);
}

/**
 * The function a method call of `o[key]` would call, found without running user code: the data
 * property along the prototype chain, a getter itself (an accessor runs code to produce it), or
 * undefined. Primitives look their methods up on their wrapper's prototype; proxies are not looked
 * into (their trap is the function).
 */
export function methodOf(o: unknown, key: PropertyKey): unknown {
  if (o === null || o === undefined) return undefined;
  let target: object | null = isObject(o) ? o : (Object(o) as object);
  for (let depth = 0; target !== null && depth < 10_000; depth++) {
    if (isProxy(target)) {
      if (depth > 0 || !isNamespaceProxy(target)) return target;
      const descriptor = getOwnPropertyDescriptor(target, key);
      return descriptor !== undefined && "value" in descriptor ? descriptor.value : target;
    }
    const descriptor = getOwnPropertyDescriptor(target, key);
    if (descriptor !== undefined) return "value" in descriptor ? descriptor.value : descriptor.get;
    target = getPrototypeOf(target) as object | null;
  }
  return undefined;
}

/** Module namespace proxies seen, and whether each is one (its trap asked once). */
const namespaceProxies = new WeakMap<object, boolean>();

/**
 * Whether `proxy` stands for a module namespace: vitest hands a module that vite leaves to Node
 * (`node:fs/promises`, a package) to `import * as ns` as a Proxy over the namespace whose traps
 * only read it. Seen through, `ns.writeFile(…)` is the call of `fs.promises.writeFile` it is
 * (a driver operation), not a call of an opaque object. Told by its `Symbol.toStringTag`
 * descriptor, a namespace's own (`"Module"`, read-only): one `getOwnPropertyDescriptor` trap call
 * per proxy. Any other proxy stays opaque.
 */
function isNamespaceProxy(proxy: object): boolean {
  let known = namespaceProxies.get(proxy);
  if (known === undefined) {
    let tag: PropertyDescriptor | undefined;
    try {
      tag = getOwnPropertyDescriptor(proxy, Symbol.toStringTag);
    } catch {
      tag = undefined;
    }
    known = tag !== undefined && tag.value === "Module" && tag.writable === false && tag.configurable === false;
    namespaceProxies.set(proxy, known);
  }
  return known;
}
