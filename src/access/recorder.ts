/**
 * The access recorder of task threads. Importing this module installs an access runtime with the
 * task policy (`task-policy.ts`) in the isolate, unless one is installed already (the first
 * installed wins; worker threads install their own policy with `installAccessRuntime`). Loaders
 * install the same (`installAccessRecorder` of `runtime.ts`) in every isolate they instrument
 * accesses for; vitest loads this module as a setup file. It is small and has no dependency
 * outside `src/access/`.
 *
 * @module
 */
import type { AccessRuntime, AccessSink } from "./protocol.js";
import { installAccessRecorder } from "./runtime.js";

export { ACCESS_KEY, type AccessRuntime, type AccessSink } from "./protocol.js";
export type { AccessPart, AccessPlace, AccessPolicy } from "./policy.js";
export { MAX_ELEMENTS } from "./collections.js";
export {
  accessInstrumentedFiles, createAccessRuntime, installAccessRecorder, installAccessRuntime, installedAccessRuntime,
} from "./runtime.js";
export { createTaskPolicy } from "./task-policy.js";

/** The isolate's runtime, installed with the task policy if absent. */
export function getAccessRuntime(): AccessRuntime {
  return installAccessRecorder();
}

/**
 * Installs the sink that receives every access instrumented code makes from now on, or removes it
 * (`null`): instrumented code then only performs its operations.
 */
export function setAccessSink(sink: AccessSink | null): void {
  getAccessRuntime().setSink(sink);
}

/** Restarts object numbering: the next object recorded is `#1` again. */
export function resetAccessIds(): void {
  getAccessRuntime().resetIds();
}

installAccessRecorder();
