/**
 * Installs load-time instrumentation for task threads in the current process: every file that
 * {@link TraceFilter} accepts is rewritten by {@link instrument} as it loads, so that its `await`s
 * and marker comments become gates (see `gates.ts`) and, unless turned off, its property accesses
 * calls of the access recorder (`src/access/`), which it then installs in the process.
 *
 * Two loaders need it, and each gets its own hook:
 * - ES modules: a `module.register` hooks module (`esm-hooks.ts`, on Node's loader-hooks thread);
 * - CommonJS: a patch of `Module.prototype._compile`, which every CommonJS compile goes through
 *   (Node's own `.js`/`.cjs` loader, and tsx's, which compiles TypeScript first and passes the
 *   JavaScript with an inline source map). ES modules loaded with `require()` (require(esm)) pass
 *   there too, with format `"module"`: Node compiles them from that content, bypassing the ESM hooks.
 *
 * Source maps are switched on (`process.setSourceMapsEnabled(true)`): instrumented code carries an
 * inline map to the original source, so stack traces show original lines and columns.
 *
 * @module
 */
import { existsSync } from "node:fs";
import Module, { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
import { InterlaceError } from "../errors.js";
import { ACCESS_KEY } from "../access/protocol.js";
import { installAccessRecorder } from "../access/runtime.js";
import { TraceFilter } from "../markers/trace-filter.js";
import { instrument } from "./transform.js";

/** Options of {@link installInstrumentation}. */
export interface InstallOptions {
  /** picomatch globs on package names whose files in `node_modules` are instrumented too, e.g. `["mylib", "@scope/*"]`. */
  tracePackages?: readonly string[];
  /**
   * Instrument property accesses too, for DPOR and explanations (default: true, unless the
   * environment has `INTERLACE_ACCESSES=0`).
   */
  accesses?: boolean;
  /** `interlace debug`'s task host: gates pass a closure of the awaiting frame (`InstrumentOptions.peek`). Default false. */
  peek?: boolean;
}

/** What the ESM hooks module receives in `initialize(data)`. */
export interface HooksData {
  tracePackages: string[];
  /** Instrument property accesses too. */
  accesses: boolean;
  /** Gates pass a closure of the awaiting frame (`interlace debug`). */
  peek?: boolean;
  /** Port for {@link LoaderNotice}s back to the main thread (warnings emitted on the hooks thread are lost). */
  port?: { postMessage(message: LoaderNotice): void };
}

/** A warning about one file, found while loading it. */
export interface LoaderNotice {
  /** Path or URL of the file. */
  file: string;
  /** Warning code for `process.emitWarning`. */
  code: typeof MARKER_WARNING | typeof INSTRUMENT_WARNING;
  message: string;
}

/** Warning code of problems with markers (from `InstrumentResult.warnings`). */
export const MARKER_WARNING = "INTERLACE_MARKER";
/** Warning code of a file that could not be instrumented and was loaded unmodified. */
export const INSTRUMENT_WARNING = "INTERLACE_INSTRUMENT";

/** Process-wide installation state, shared by every copy of interlace through the symbol registry. */
interface Installation {
  readonly tracePackages: readonly string[];
  readonly accesses: boolean;
  readonly peek: boolean;
  /** Files already warned about (once per file). */
  readonly warned: Set<string>;
}

const INSTALLATION_KEY = Symbol.for("interlace.instrumentation.v1");

/**
 * Instruments every traced file loaded from now on (files loaded before the call stay as they
 * are), and installs the access recorder when accesses are instrumented. Idempotent: a second
 * call with no options, or with the same `tracePackages` in any order and the same `accesses`,
 * does nothing. A second call with different ones throws an {@link InterlaceError}
 * (`E_INSTRUMENTATION_INSTALLED`): the ESM hooks thread cannot be reconfigured reliably once modules
 * load through it, so what is instrumented is fixed by the first call.
 *
 * @param options - Packages in `node_modules` to instrument as well (default: none); whether to
 *   instrument property accesses (default: {@link accessesByDefault}).
 * @throws InterlaceError when already installed with other options.
 */
export function installInstrumentation(options: InstallOptions = {}): void {
  const registry = globalThis as unknown as Record<symbol, Installation | undefined>;
  const requested = normalize(options.tracePackages ?? []);
  const installed = registry[INSTALLATION_KEY];
  if (installed !== undefined) {
    const samePackages = options.tracePackages === undefined || sameList(installed.tracePackages, requested);
    const sameAccesses = options.accesses === undefined || options.accesses === installed.accesses;
    if (samePackages && sameAccesses && (options.peek === undefined || options.peek === installed.peek)) return;
    const was = samePackages ? `accesses ${installed.accesses}` : `tracePackages ${JSON.stringify(installed.tracePackages)}`;
    const asked = samePackages ? `accesses ${String(options.accesses)}` : JSON.stringify(requested);
    const hint = samePackages
      ? "INTERLACE_ACCESSES=0 with --import interlace/register turns accesses off"
      : `e.g. INTERLACE_TRACE_PACKAGES="${requested.join(",")}" with --import interlace/register`;
    throw new InterlaceError(
      "E_INSTRUMENTATION_INSTALLED",
      "input",
      `interlace instrumentation is already installed with ${was}; it cannot be changed to ${asked} in the same ` +
        `process. Pass the options to the first installation (${hint}).`,
    );
  }
  const accesses = options.accesses ?? accessesByDefault();
  const peek = options.peek === true;
  const installation: Installation = { tracePackages: requested, accesses, peek, warned: new Set() };
  registry[INSTALLATION_KEY] = installation;
  if (accesses) installAccessRecorder();

  process.setSourceMapsEnabled(true);
  const filter = new TraceFilter({ tracePackages: requested });
  patchCompile(filter, installation);
  forgetLoadedBefore(filter);

  const { port1, port2 } = new MessageChannel();
  port1.on("message", (notice: LoaderNotice) => emitNotice(installation, notice));
  port1.unref();
  const data: HooksData = { tracePackages: [...requested], accesses, peek, port: port2 };
  register(hooksUrl(), { data, transferList: [port2] });
}

/** The packages the installed loaders trace (`tracePackages`), or null when none is installed in this process. */
export function installedTracePackages(): readonly string[] | null {
  return (globalThis as unknown as Record<symbol, Installation | undefined>)[INSTALLATION_KEY]?.tracePackages ?? null;
}

/** Whether loaders instrument property accesses when not told: yes, unless `INTERLACE_ACCESSES=0`. */
export function accessesByDefault(): boolean {
  return process.env["INTERLACE_ACCESSES"] !== "0";
}

/**
 * Instruments code for a loader, never throwing.
 *
 * @param code - The code as the loader would run it (possibly compiled, with an inline map).
 * @param filename - Absolute path of the file.
 * @param format - How the code is parsed.
 * @param options - `accesses`: instrument property accesses too (default false); `peek`: gates
 *   pass a closure of the awaiting frame (default false).
 * @returns The code to run (the input when there is nothing to instrument, it was already
 *   instrumented, or the transform failed) and warnings to emit about the file.
 */
export function instrumentForLoader(
  code: string,
  filename: string,
  format: "module" | "commonjs",
  options: { accesses?: boolean; peek?: boolean } = {},
): { code: string; notices: LoaderNotice[] } {
  if (isInstrumented(code)) return { code, notices: [] };
  try {
    const result = instrument(code, { filename, format, inlineMap: true, accesses: options.accesses === true, peek: options.peek === true });
    if (result === null) return { code, notices: [] };
    const notices: LoaderNotice[] =
      result.warnings.length === 0 ? [] : [{ file: filename, code: MARKER_WARNING, message: result.warnings.join("\n") }];
    return { code: result.code, notices };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      code,
      notices: [{ file: filename, code: INSTRUMENT_WARNING, message: `could not instrument ${filename}, loaded it unmodified: ${reason}` }],
    };
  }
}

/**
 * Whether `code` carries a preamble of ours (`gatesPreamble()` or `accessPreamble()`): code
 * already instrumented by another hook of this process.
 */
function isInstrumented(code: string): boolean {
  return code.includes("var __ilF=__il.f(") || (code.includes(JSON.stringify(ACCESS_KEY)) && code.includes("var __ilaF=__ila.f("));
}

/** The signature of `Module.prototype._compile` (Node 20: `(content, filename, format?)`). */
type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

/** Instruments CommonJS code at the one function every CommonJS compile passes through. */
function patchCompile(filter: TraceFilter, installation: Installation): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  /** Inside a transform: modules it requires (its own lazily loaded dependencies) are not instrumented. */
  let transforming = false;
  proto._compile = function interlaceCompile(this: unknown, content: string, filename: string, ...rest: unknown[]): unknown {
    // rest[0] is the format Node detected: undefined or "commonjs" for CommonJS, "module" for an ES
    // module loaded by require(esm), which Node compiles from this very content, bypassing the ESM
    // hooks. Other formats (Node 22's "*-typescript") are left alone.
    const format = rest[0] ?? "commonjs";
    if (
      (format === "commonjs" || format === "module") &&
      typeof content === "string" &&
      typeof filename === "string" &&
      !transforming &&
      filter.shouldTraceFile(filename)
    ) {
      transforming = true;
      try {
        const out = instrumentForLoader(content, filename, format, { accesses: installation.accesses, peek: installation.peek });
        for (const notice of out.notices) emitNotice(installation, notice);
        content = out.code;
      } finally {
        transforming = false;
      }
    }
    return original.call(this, content, filename, ...rest);
  };
}

/**
 * Traced CommonJS files already in the module cache — interlace's own dependencies (`debug`, `ms`,
 * `picomatch`…), which a user may trace, or files required before the loader was installed — would
 * be handed out uninstrumented by later requires: they are dropped from the cache, so the next
 * require loads (and instruments) them afresh. (Modules loaded as ES modules stay as loaded.)
 */
function forgetLoadedBefore(filter: TraceFilter): void {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  for (const file of Object.keys(cache)) if (filter.shouldTraceFile(file)) delete cache[file];
}

/** Emits a loader warning, once per file and code. */
function emitNotice(installation: Installation, notice: LoaderNotice): void {
  const key = `${notice.code}\0${notice.file}`;
  if (installation.warned.has(key)) return;
  installation.warned.add(key);
  process.emitWarning(notice.message, { type: "InterlaceWarning", code: notice.code });
}

/**
 * URL of the hooks module beside this one. When this file runs from source (tsx, vitest), the
 * built one in `dist/` if present: the hooks thread loads TypeScript only when tsx's hooks are there.
 */
function hooksUrl(): URL {
  const own = import.meta.url;
  if (!own.endsWith(".ts")) return new URL("./esm-hooks.js", own);
  const built = new URL("../../dist/tasks/esm-hooks.js", own);
  return existsSync(built) ? built : new URL("./esm-hooks.ts", own);
}

/** Distinct, trimmed, non-empty globs, sorted. */
function normalize(globs: readonly string[]): string[] {
  return [...new Set(globs.map((glob) => glob.trim()).filter((glob) => glob !== ""))].sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

