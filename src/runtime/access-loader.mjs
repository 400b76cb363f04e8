// @ts-check
/**
 * Access recording of element reads and writes in a recorded worker: installs the access runtime
 * (`src/access/`, compiled) with the worker's element policy (element-policy.mjs) and its sink,
 * then the access transform on the files the thread loads from now on, in both loaders: a
 * `Module.prototype._compile` patch (CommonJS, require(esm), tsx's compiled CommonJS) and ES module
 * hooks (access-hooks.mjs). Traced files are those `TraceFilter` accepts: not `node_modules`
 * (unless `tracePackages`), not interlace itself, not Node's internals.
 */
import Module, { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
import { builtUrl, instrumentForWorker } from "./access-instrument.mjs";
import { createElementPolicy } from "./element-policy.mjs";

/**
 * Installs it all; call after tsx's hooks are registered, before the thread's module loads.
 * @param {import("./shared-recorder.mjs").SharedRecorder} recorder
 * @param {string[]} tracePackages
 */
export async function installAccessTracking(recorder, tracePackages) {
  const transformUrl = builtUrl("access/transform.js");
  const filterUrl = builtUrl("markers/trace-filter.js");
  const [access, transform, markers] = await Promise.all([import(builtUrl("access/runtime.js")), import(transformUrl), import(filterUrl)]);
  const { policy, sink } = createElementPolicy(recorder);
  access.installAccessRuntime(access.createAccessRuntime(policy)).setSink(sink);

  const filter = new markers.TraceFilter({ tracePackages });
  const warn = (/** @type {string} */ problem) => process.emitWarning(problem, { type: "InterlaceWarning", code: "INTERLACE_INSTRUMENT" });
  patchCompile(filter, transform.instrumentAccesses, warn);

  const { port1, port2 } = new MessageChannel();
  port1.on("message", warn);
  port1.unref();
  register(new URL("./access-hooks.mjs", import.meta.url), { data: { transformUrl, filterUrl, tracePackages, port: port2 }, transferList: [port2] });
}

/**
 * Instruments CommonJS at the one function every CommonJS compile passes through.
 * @param {{ shouldTraceFile(path: string): boolean }} filter
 * @param {import("./access-instrument.mjs").InstrumentAccesses} instrumentAccesses
 * @param {(problem: string) => void} warn
 */
function patchCompile(filter, instrumentAccesses, warn) {
  const proto = /** @type {{ _compile: (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown }} */ (
    /** @type {unknown} */ (Module.prototype)
  );
  const original = proto._compile;
  proto._compile = function interlaceAccessCompile(content, filename, ...rest) {
    // rest[0]: the format Node detected (undefined or "commonjs"; "module" for require(esm)).
    const format = rest[0] ?? "commonjs";
    if ((format === "commonjs" || format === "module") && typeof content === "string" && typeof filename === "string" && filter.shouldTraceFile(filename)) {
      const out = instrumentForWorker(instrumentAccesses, content, filename, format);
      if (out.problem !== undefined) warn(out.problem);
      content = out.code;
    }
    return original.call(this, content, filename, ...rest);
  };
}
