// @ts-check
/**
 * ES module loader hooks of a recorded worker (registered by access-loader.mjs, after tsx's when
 * tsx is used, so that they receive tsx's JavaScript): the access transform on every traced
 * `file:` module. CommonJS that Node's CommonJS loader compiles (`source: null`) is left to the
 * `Module.prototype._compile` patch. Problems go back to the worker's thread on `port`
 * (`process.emitWarning` on the hooks thread prints nothing).
 */
import { fileURLToPath } from "node:url";
import { instrumentForWorker } from "./access-instrument.mjs";

/** @type {import("./access-instrument.mjs").InstrumentAccesses | null} */
let instrument = null;
/** @type {{ shouldTraceFile(pathOrUrl: string): boolean } | null} */
let filter = null;
/** @type {import("node:worker_threads").MessagePort | null} */
let port = null;

/**
 * @param {{ transformUrl: string, filterUrl: string, tracePackages: string[], port: import("node:worker_threads").MessagePort }} data
 */
export async function initialize(data) {
  const [transform, markers] = await Promise.all([import(data.transformUrl), import(data.filterUrl)]);
  instrument = transform.instrumentAccesses;
  filter = new markers.TraceFilter({ tracePackages: data.tracePackages });
  port = data.port;
}

/**
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<{ format?: string | null, source?: string | ArrayBuffer | ArrayBufferView | null }>} nextLoad
 */
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  const { format, source } = result;
  if (instrument === null || filter === null || source == null || (format !== "module" && format !== "commonjs")) return result;
  if (!url.startsWith("file:") || !filter.shouldTraceFile(url)) return result;
  const code =
    typeof source === "string" ? source
    : ArrayBuffer.isView(source) ? Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString("utf8")
    : Buffer.from(source).toString("utf8");
  const out = instrumentForWorker(instrument, code, fileURLToPath(url), format);
  if (out.problem !== undefined) port?.postMessage(out.problem);
  return out.code === code ? result : { ...result, source: out.code };
}
