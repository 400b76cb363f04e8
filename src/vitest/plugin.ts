/**
 * The vite plugin that instruments task threads under vitest (or any vite-based runner).
 *
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from "vitest/config";
 * import { interlace } from "interlace/vitest";
 *
 * export default defineConfig({ plugins: [interlace()] });
 * ```
 *
 * The plugin runs before vite's own transforms (`enforce: "pre"`), so it sees original sources
 * with their marker comments, TypeScript included; vite composes the source map it returns with
 * its own. Marker problems are emitted once per file as `process.emitWarning` (code
 * `INTERLACE_MARKER`). Files vite leaves to Node (external dependencies) are not transformed by vite: load them
 * through `node --import interlace/register` if they must be instrumented.
 *
 * Property accesses are instrumented too (for DPOR and explanations), unless `accesses: false` or
 * `INTERLACE_ACCESSES=0`; the plugin then puts the access recorder first in vitest's `setupFiles`,
 * so that it is loaded in every test worker before any instrumented module.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceFilter } from "../markers/trace-filter.js";
import { accessesByDefault } from "../tasks/install.js";
import { instrument, type InstrumentResult } from "../tasks/transform.js";

/** Options of {@link interlace}. */
export interface InterlacePluginOptions {
  /** picomatch globs on package names whose files in `node_modules` are instrumented too, e.g. `["mylib", "@scope/*"]`. */
  tracePackages?: readonly string[];
  /** Instrument property accesses too (default: true, unless the environment has `INTERLACE_ACCESSES=0`). */
  accesses?: boolean;
  /**
   * A folder for HTML reports (e.g. `"interlace-reports"`, relative to the project root): each
   * failing test writes there one self-contained report per counterexample `explore()` found in it,
   * named after the test (`<file>-<suite>-<test>.html`). Passing tests write nothing.
   */
  report?: string;
}

/** The part of a vitest config the plugin adds to. */
interface VitestConfig {
  root?: string;
  test?: { setupFiles?: string | string[]; env?: Partial<Record<string, string>> };
}

/**
 * The part of vite's `Plugin` this plugin implements, declared structurally so that the published
 * types do not import `vite` (which is vitest's dependency, not interlace's). It is assignable to
 * vite's `Plugin`.
 */
export interface InterlacePlugin {
  name: "interlace";
  enforce: "pre";
  /** Puts the access recorder (when accesses are instrumented) and the report setup (with `report`) first in `test.setupFiles`. */
  config(config: VitestConfig): void;
  /** Instruments one module; `null` leaves it to the next plugin unchanged. */
  transform(code: string, id: string): { code: string; map: InstrumentResult["map"] } | null;
}

/** Extensions of the modules the plugin instruments. */
const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Queries whose module is not the file's code (an asset URL, its text, a worker constructor…). */
const NOT_CODE = /(?:^|&)(?:raw|url|inline|worker|sharedworker|init)(?:=|&|$)/;

/**
 * Creates the plugin.
 *
 * @param options - Packages in `node_modules` to instrument as well (default: none); whether to
 *   instrument property accesses.
 */
export function interlace(options: InterlacePluginOptions = {}): InterlacePlugin {
  const filter = new TraceFilter({ tracePackages: options.tracePackages ?? [] });
  const accesses = options.accesses !== false && accessesByDefault();
  const warned = new Set<string>();
  return {
    name: "interlace",
    enforce: "pre",
    config(config) {
      // Each test's signal reaches the explorations it starts (a timeout stops them): test-signal.ts.
      const first: string[] = [ownModule("./test-signal")];
      if (accesses) first.push(recorderPath());
      if (options.report !== undefined) {
        // The setup file reads the folder from the environment vitest gives its workers.
        (config.test ??= {}).env = { ...config.test?.env, INTERLACE_REPORT_DIR: resolve(config.root ?? process.cwd(), options.report) };
        first.push(ownModule("./report-setup"));
      }
      if (first.length === 0) return;
      const test = (config.test ??= {});
      const setup = test.setupFiles ?? [];
      test.setupFiles = [...first, ...(typeof setup === "string" ? [setup] : setup)];
    },
    transform(code, id) {
      if (id.startsWith("\0")) return null;
      const query = id.indexOf("?");
      const path = query < 0 ? id : id.slice(0, query);
      if (query >= 0 && NOT_CODE.test(id.slice(query + 1))) return null;
      if (!SCRIPT.test(path) || !filter.shouldTraceFile(path)) return null;
      // vite serves modules as ESM; `.cts` sources mostly use `export` syntax (TypeScript compiles it away).
      const format = path.endsWith(".cjs") ? "commonjs" : "module";
      let result;
      try {
        result = instrument(code, { filename: path, format, accesses });
      } catch (error) {
        if (!warned.has(path)) {
          warned.add(path);
          process.emitWarning(error instanceof Error ? error.message : String(error), { type: "InterlaceWarning", code: "INTERLACE_INSTRUMENT" });
        }
        return null;
      }
      if (result === null) return null;
      if (result.warnings.length > 0 && !warned.has(path)) {
        warned.add(path);
        process.emitWarning(result.warnings.join("\n"), { type: "InterlaceWarning", code: "INTERLACE_MARKER" });
      }
      return { code: result.code, map: result.map };
    },
  };
}

/** Path of a module of this folder (the TypeScript one when this file runs from source). */
function ownModule(name: string): string {
  const own = import.meta.url;
  return fileURLToPath(new URL(`${name}${own.endsWith(".ts") ? ".ts" : ".js"}`, own));
}

/** Path of the access recorder module (`../access/recorder`; when this file runs from source, the TypeScript one). */
function recorderPath(): string {
  const own = import.meta.url;
  return fileURLToPath(new URL(own.endsWith(".ts") ? "../access/recorder.ts" : "../access/recorder.js", own));
}
