/**
 * `interlace/sync`: locks that interlace's schedulers know, importable without the controller.
 *
 * - {@link Mutex}: for task threads (async functions of one isolate);
 * - {@link SharedMutex}: for worker threads (one Int32 cell of a SharedArrayBuffer).
 *
 * @module
 */
export { Mutex } from "./mutex.js";
export { SharedMutex, type SharedMutexLike } from "./shared-mutex.js";
