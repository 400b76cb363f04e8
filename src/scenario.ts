/**
 * Scenarios: the threads of a race, the state they share, and the property that must hold.
 *
 * ```ts
 * export default defineScenario({
 *   setup: () => ({ balance: new Int32Array(new SharedArrayBuffer(4)).fill(100) }),
 *   threads: {
 *     t1: thread.worker(new URL("./account.ts", import.meta.url), "transfer", [50]),
 *     t2: thread.worker(new URL("./account.ts", import.meta.url), "transfer", [50]),
 *   },
 *   invariant: (s) => s.balance[0] === 200,
 * });
 * ```
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ModuleNotFoundError, ScenarioError } from "./errors.js";
import { NAME_PATTERN } from "./engine/schedule.js";
import type { ProcessOptions } from "./controller/process-target.js";

export type { ProcessOptions };

/** Brand of scenarios (shared by every copy of interlace through the global symbol registry). */
export const SCENARIO: unique symbol = Symbol.for("interlace.scenario");
/** Brand of thread specs. */
export const THREAD: unique symbol = Symbol.for("interlace.thread");

/** A thread that runs `exportName(state, ...args)` of a module, in its own isolate. */
export interface ThreadSpec {
  readonly [THREAD]: true;
  readonly kind: "worker" | "process";
  /** `file:` URL of the module. */
  readonly module: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  readonly processOptions?: ProcessOptions;
}

/** What `defineScenario` takes. `S` is the shared state `setup()` returns. */
export interface ScenarioDefinition<S = unknown> {
  /** Runs in the controller before the threads; its result is each thread's first argument. */
  setup?: () => S | Promise<S>;
  /** Thread name → spec. Names appear in schedules: letters, digits, `_`, `$`, `.`, `-`. */
  threads: Readonly<Record<string, ThreadSpec>>;
  /** Runs in the controller after every thread finished. Returning `false` or throwing means it does not hold. */
  invariant?: (state: S) => boolean | void | Promise<boolean | void>;
  /** Runs after the invariant, whatever the outcome (remove temporary files here). */
  teardown?: (state: S) => void | Promise<void>;
}

/** A checked scenario, as returned by {@link defineScenario}. */
export type Scenario<S = unknown> = ScenarioDefinition<S> & { readonly [SCENARIO]: true };

/** Checks a scenario definition and marks it as one (the default export of a scenario module). */
export function defineScenario<S>(definition: ScenarioDefinition<S>): Scenario<S> {
  checkScenario(definition);
  return Object.freeze({ ...definition, [SCENARIO]: true as const });
}

/** True for values made by {@link defineScenario} (from any copy of interlace). */
export function isScenario(value: unknown): value is Scenario {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SCENARIO] === true;
}

/** Thread constructors. */
export const thread = {
  /** A `worker_thread` running `exportName(state, ...args)`; SharedArrayBuffers in the state are shared. */
  worker(module: URL | string, exportName: string, args: readonly unknown[] = []): ThreadSpec {
    return makeThread("worker", module, exportName, args);
  },
  /** A child `node` process running `exportName(state, ...args)`; the state is serialised (share files, DBs, ports). */
  process(module: URL | string, exportName: string, args: readonly unknown[] = [], options: ProcessOptions = {}): ThreadSpec {
    return makeThread("process", module, exportName, args, options);
  },
};

function makeThread(kind: ThreadSpec["kind"], module: URL | string, exportName: string, args: readonly unknown[], processOptions?: ProcessOptions): ThreadSpec {
  if (typeof exportName !== "string" || exportName.length === 0) {
    throw new ScenarioError(`thread.${kind}(module, exportName): exportName must be the name of an exported function, got ${String(exportName)}.`);
  }
  if (!Array.isArray(args)) throw new ScenarioError(`thread.${kind}(module, "${exportName}", args): args must be an array.`);
  const spec = { [THREAD]: true as const, kind, module: toModuleUrl(module, kind), exportName, args: [...args] };
  return Object.freeze(processOptions ? { ...spec, processOptions } : spec);
}

function toModuleUrl(module: URL | string, kind: string): string {
  if (module instanceof URL) {
    if (module.protocol !== "file:") throw new ScenarioError(`thread.${kind}(): module must be a file: URL or a path, got ${module.href}.`);
    return module.href;
  }
  if (typeof module !== "string" || module.length === 0) {
    throw new ScenarioError(`thread.${kind}(): module must be new URL("./file.ts", import.meta.url) or a path.`);
  }
  if (module.startsWith("file:")) return new URL(module).href;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

/** Throws a {@link ScenarioError} describing the first problem of a definition. */
export function checkScenario(definition: unknown): asserts definition is ScenarioDefinition {
  if (typeof definition !== "object" || definition === null) {
    throw new ScenarioError("A scenario must be an object: defineScenario({ setup?, threads, invariant? }).");
  }
  const d = definition as Record<string, unknown>;
  for (const hook of ["setup", "invariant", "teardown"]) {
    if (d[hook] !== undefined && typeof d[hook] !== "function") throw new ScenarioError(`Scenario ${hook} must be a function.`);
  }
  if (typeof d.threads !== "object" || d.threads === null || Array.isArray(d.threads)) {
    throw new ScenarioError('Scenario threads must be a record of name → thread spec, e.g. { t1: thread.worker(url, "fn") }.');
  }
  const entries = Object.entries(d.threads as Record<string, unknown>);
  if (entries.length === 0) throw new ScenarioError("A scenario needs at least one thread.");
  for (const [name, spec] of entries) checkThread(name, spec);
}

/** Throws unless `spec` is a thread made by `thread.*` under a valid name. */
export function checkThread(name: string, spec: unknown): asserts spec is ThreadSpec {
  if (!NAME_PATTERN.test(name)) {
    throw new ScenarioError(`Invalid thread name ${JSON.stringify(name)}: names start with a letter, _ or $ and continue with letters, digits, _, $, . or -.`);
  }
  if (typeof spec !== "object" || spec === null || (spec as Record<symbol, unknown>)[THREAD] !== true) {
    throw new ScenarioError(`Thread "${name}" must be made with thread.worker(...) or thread.process(...).`);
  }
}

/** Throws {@link ModuleNotFoundError} unless every thread module exists on disk. */
export function checkThreadModules(threads: Readonly<Record<string, ThreadSpec>>): void {
  for (const [name, spec] of Object.entries(threads)) {
    const path = fileURLToPath(spec.module);
    if (!existsSync(path)) throw new ModuleNotFoundError(`Module of thread "${name}"`, path);
  }
}
