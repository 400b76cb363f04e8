/**
 * `module.register` hooks that instrument ES modules for task threads (registered by
 * `installInstrumentation()`; runs on Node's loader-hooks thread, not the main thread).
 *
 * `load` asks the rest of the chain first, then instruments what it returns. That works with tsx
 * in either order: registered after tsx (`--import tsx --import interlace/register`), this hook runs
 * first and receives tsx's compiled JavaScript with its inline source map, which the transform
 * composes through; registered before tsx, it receives the raw TypeScript, and esbuild chains the
 * inline map this hook returns. CommonJS that Node's CommonJS loader will load (`source: null`) is
 * left to the `Module.prototype._compile` patch.
 *
 * @module
 */
import type { InitializeHook, LoadHook } from "node:module";
import { fileURLToPath } from "node:url";
import { TraceFilter } from "../markers/trace-filter.js";
import { instrumentForLoader, type HooksData, type LoaderNotice } from "./install.js";

let filter = new TraceFilter();
let port: NonNullable<HooksData["port"]> | null = null;
let accesses = false;
let peek = false;

/** Receives the `data` passed to `module.register`. */
export const initialize: InitializeHook<HooksData | undefined> = (data) => {
  filter = new TraceFilter({ tracePackages: data?.tracePackages ?? [] });
  port = data?.port ?? null;
  accesses = data?.accesses ?? false;
  peek = data?.peek ?? false;
};

/** Instruments traced `file:` modules after the rest of the chain loaded them. */
export const load: LoadHook = async (url, context, nextLoad) => {
  const result = await nextLoad(url, context);
  const { format, source } = result;
  if (source === null || source === undefined || (format !== "module" && format !== "commonjs")) return result;
  if (!url.startsWith("file:") || !filter.shouldTraceFile(url)) return result;
  const code = decode(source);
  const out = instrumentForLoader(code, fileURLToPath(url), format, { accesses, peek });
  for (const notice of out.notices) report(notice);
  return out.code === code ? result : { ...result, source: out.code };
};

function decode(source: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof source === "string") return source;
  const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  return new TextDecoder().decode(bytes);
}

/** Hands a warning to the main thread (`process.emitWarning` on the hooks thread prints nothing). */
function report(notice: LoaderNotice): void {
  if (port !== null) port.postMessage(notice);
  else process.emitWarning(notice.message, { type: "InterlaceWarning", code: notice.code });
}
