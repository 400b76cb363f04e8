/**
 * The final state of a run as JSON for `--json` reports: what a program reading the report can
 * compare without parsing `util.inspect` text (which stays beside it as `stateText`).
 *
 * Plain data comes out as itself. What JSON cannot hold is tagged, so that it is never confused
 * with plain data: typed arrays and SharedArrayBuffer-backed views are arrays of their elements
 * (64-bit integer elements as decimal strings); `bigint` is `{ "$bigint": "12" }`; non-finite
 * numbers `{ "$number": "NaN" }`; `Map` `{ "$map": [[key, value], …] }`; `Set` `{ "$set": […] }`;
 * `Date` its ISO string; buffers `{ "$bytes": length }`; functions and symbols
 * `{ "$function": name }` / `{ "$symbol": description }`; an instance of a class other than Object
 * its own enumerable properties plus `"$class": name`; a value met again on its own path
 * `{ "$circular": true }`; past {@link MAX_DEPTH} levels `{ "$depth": true }`. `undefined` properties
 * are left out, `undefined` elements become null.
 *
 * @module
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 12;

/** The JSON form of `value` (see the module comment). */
export function stateToJson(value: unknown): JsonValue {
  return convert(value, new Set(), 0);
}

function convert(value: unknown, path: Set<object>, depth: number): JsonValue {
  switch (typeof value) {
    case "undefined":
      return null;
    case "boolean":
    case "string":
      return value;
    case "number":
      return Number.isFinite(value) ? value : { $number: String(value) };
    case "bigint":
      return { $bigint: value.toString() };
    case "symbol":
      return { $symbol: value.description ?? "" };
    case "function":
      return { $function: value.name };
  }
  if (value === null) return null;
  const object = value as object;
  if (path.has(object)) return { $circular: true };
  if (depth >= MAX_DEPTH) return { $depth: true };
  if (ArrayBuffer.isView(object)) {
    if (object instanceof DataView) return { $bytes: object.byteLength };
    const elements = Array.from(object as unknown as ArrayLike<number | bigint>);
    return elements.map((e) => (typeof e === "bigint" ? e.toString() : Number.isFinite(e) ? e : { $number: String(e) }));
  }
  if (object instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && object instanceof SharedArrayBuffer)) return { $bytes: object.byteLength };
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? { $date: "Invalid Date" } : object.toISOString();
  path.add(object);
  try {
    const inner = (v: unknown): JsonValue => convert(v, path, depth + 1);
    if (Array.isArray(object)) return object.map(inner);
    if (object instanceof Map) return { $map: [...object].map(([k, v]) => [inner(k), inner(v)]) };
    if (object instanceof Set) return { $set: [...object].map(inner) };
    const out: { [key: string]: JsonValue } = {};
    const proto = Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null;
    const name = proto?.constructor?.name;
    if (proto !== null && proto !== Object.prototype && name !== undefined && name !== "Object") out.$class = name;
    for (const [key, v] of Object.entries(object)) if (v !== undefined) out[key] = inner(v);
    return out;
  } finally {
    path.delete(object);
  }
}
