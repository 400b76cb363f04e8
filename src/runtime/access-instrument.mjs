// @ts-check
/**
 * Applies the access transform (`src/access/transform.ts`, compiled) to a file a recorded worker
 * loads, for both of its loaders (access-loader.mjs for CommonJS, access-hooks.mjs for ES modules).
 * Never throws: code that cannot be instrumented is loaded as it is, with a problem to report.
 */

/** Where interlace's compiled modules are: `dist/`, beside `runtime/` or, from `src/runtime/`, in the package root. */
export function builtUrl(/** @type {string} */ relative) {
  const fromSource = /\/src\/runtime\/[^/]+$/.test(new URL(import.meta.url).pathname);
  return new URL((fromSource ? "../../dist/" : "../") + relative, import.meta.url).href;
}

/** What every access-instrumented file starts with (the transform's preamble). */
const PREAMBLE = 'Symbol.for("interlace.access.v1")';

/**
 * @typedef {(code: string, options: { filename: string, format: "module" | "commonjs", variables?: boolean }) => { code: string, map: unknown }} InstrumentAccesses
 */

/**
 * The code to run for `filename`: instrumented, with an inline map to the original source
 * (composed through the code's own inline map, tsx's say), or `code` itself.
 * @param {InstrumentAccesses} instrumentAccesses
 * @param {string} code
 * @param {string} filename absolute path
 * @param {"module" | "commonjs"} format
 * @returns {{ code: string, problem?: string }}
 */
export function instrumentForWorker(instrumentAccesses, code, filename, format) {
  if (code.includes(PREAMBLE)) return { code };
  try {
    // A worker's variables are its own: no scope analysis (which would load @babel/traverse in every worker).
    const result = instrumentAccesses(code, { filename, format, variables: false });
    if (result.code === code) return { code };
    const data = Buffer.from(JSON.stringify(result.map), "utf8").toString("base64");
    const out = result.code.endsWith("\n") ? result.code : `${result.code}\n`;
    return { code: `${out}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${data}\n` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { code, problem: `could not instrument ${filename} for access recording, loaded it unmodified (its accesses to SharedArrayBuffers are not seen): ${reason}` };
  }
}
