/**
 * Checks, before anything launches, that a thread can receive its state and arguments: workers get
 * a structured clone (SharedArrayBuffers stay shared), processes a `v8.serialize` copy, where
 * shared memory would silently become a private copy, so it is rejected with its path.
 */
import { serialize } from "node:v8";
import { StateTransferError, describeError } from "../errors.js";

/** Throws {@link StateTransferError} unless `value` can reach a thread of `kind`. */
export function checkTransferable(thread: string, kind: "worker" | "process", value: unknown, label = "state"): void {
  if (kind === "process") {
    const shared = findSharedMemory(value, label);
    if (shared) throw new StateTransferError(thread, kind, `${shared} is backed by a SharedArrayBuffer, which a process would only get a copy of`);
  }
  try {
    if (kind === "process") serialize(value);
    else structuredClone(value);
  } catch (error) {
    throw new StateTransferError(thread, kind, describeError(error).replace(/\.$/, ""));
  }
}

/** Path of the first SharedArrayBuffer (or view on one) inside `value`, or null. */
export function findSharedMemory(value: unknown, path: string, seen = new Set<object>()): string | null {
  if (typeof value !== "object" || value === null || seen.has(value)) return null;
  seen.add(value);
  if (value instanceof SharedArrayBuffer) return path;
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer ? path : null;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const found = findSharedMemory(k, `${path} key`, seen) ?? findSharedMemory(v, `${path}.get(${String(k)})`, seen);
      if (found) return found;
    }
    return null;
  }
  if (value instanceof Set) {
    for (const v of value) {
      const found = findSharedMemory(v, `${path} item`, seen);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    const found = findSharedMemory(v, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
    if (found) return found;
  }
  return null;
}
