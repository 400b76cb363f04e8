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
 * @module
 */
import { TraceFilter } from "../markers/trace-filter.js";
import { instrument, type InstrumentResult } from "../tasks/transform.js";

/** Options of {@link interlace}. */
export interface InterlacePluginOptions {
  /** picomatch globs on package names whose files in `node_modules` are instrumented too, e.g. `["mylib", "@scope/*"]`. */
  tracePackages?: readonly string[];
}

/**
 * The part of vite's `Plugin` this plugin implements, declared structurally so that the published
 * types do not import `vite` (which is vitest's dependency, not interlace's). It is assignable to
 * vite's `Plugin`.
 */
export interface InterlacePlugin {
  name: "interlace";
  enforce: "pre";
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
 * @param options - Packages in `node_modules` to instrument as well (default: none).
 */
export function interlace(options: InterlacePluginOptions = {}): InterlacePlugin {
  const filter = new TraceFilter({ tracePackages: options.tracePackages ?? [] });
  const warned = new Set<string>();
  return {
    name: "interlace",
    enforce: "pre",
    transform(code, id) {
      if (id.startsWith("\0")) return null;
      const query = id.indexOf("?");
      const path = query < 0 ? id : id.slice(0, query);
      if (query >= 0 && NOT_CODE.test(id.slice(query + 1))) return null;
      if (!SCRIPT.test(path) || !filter.shouldTraceFile(path)) return null;
      // vite serves modules as ESM; `.cts` sources mostly use `export` syntax (TypeScript compiles it away).
      const format = path.endsWith(".cjs") ? "commonjs" : "module";
      const result = instrument(code, { filename: path, format });
      if (result === null) return null;
      if (result.warnings.length > 0 && !warned.has(path)) {
        warned.add(path);
        process.emitWarning(result.warnings.join("\n"), { type: "InterlaceWarning", code: "INTERLACE_MARKER" });
      }
      return { code: result.code, map: result.map };
    },
  };
}
