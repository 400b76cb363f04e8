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
import { isMainThread } from "node:worker_threads";
import { MainThreadRequiredError, ModuleNotFoundError, ScenarioError, UnknownScenarioKeyError } from "./errors.js";
import { closest } from "./closest.js";
import { NAME_PATTERN } from "./engine/schedule.js";
import type { ProcessOptions } from "./controller/process-target.js";

export type { ProcessOptions };

/** Brand of scenarios (shared by every copy of interlace through the global symbol registry). */
export const SCENARIO: unique symbol = Symbol.for("interlace.scenario");
/** Brand of thread specs. */
export const THREAD: unique symbol = Symbol.for("interlace.thread");

/** A thread: an isolate of its own ({@link IsolateThreadSpec}) or a task in this one ({@link TaskThreadSpec}). */
export type ThreadSpec = IsolateThreadSpec | TaskThreadSpec;

/** A task: an async function run in the caller's isolate, scheduled at its awaits and markers. */
export interface TaskThreadSpec<S = never> {
  readonly [THREAD]: true;
  readonly kind: "task";
  readonly fn: (state: S) => unknown;
}

/** A thread that runs `exportName(state, ...args)` of a module, in its own isolate. */
export interface IsolateThreadSpec {
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
  threads: Readonly<Record<string, ThreadSpec | TaskThreadSpec<S>>>;
  /**
   * Runs in the controller after every thread finished. Returning `false` or throwing means it does
   * not hold. `results` maps each task thread's name to the value its function resolved to; worker
   * and process threads' values do not travel back, so for them it is an empty object.
   */
  invariant?: (state: S, results: Readonly<Record<string, unknown>>) => boolean | void | Promise<boolean | void>;
  /** Runs after the invariant, whatever the outcome (remove temporary files here). */
  teardown?: (state: S) => void | Promise<void>;
}

/** A checked scenario, as returned by {@link defineScenario}. */
export type Scenario<S = unknown> = ScenarioDefinition<S> & { readonly [SCENARIO]: true };

/** Checks a scenario definition and marks it as one (the default export of a scenario module). */
export function defineScenario<S>(definition: ScenarioDefinition<S>): Scenario<S> {
  checkScenario(definition);
  checkScenarioKeys(definition);
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
  /**
   * An async function run as a task in this isolate, called with the shared state. Tasks switch
   * only at awaits and markers of instrumented code (`interlace run`, `node --import
   * interlace/register` or the `interlace/vitest` plugin).
   */
  task<S = never>(fn: (state: S) => unknown): TaskThreadSpec<S> {
    if (typeof fn !== "function") throw new ScenarioError(`thread.task(fn): fn must be a function, got ${describeValue(fn)}.`);
    return Object.freeze({ [THREAD]: true as const, kind: "task" as const, fn });
  },
};

function describeValue(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? "an object" : typeof value;
}

function makeThread(kind: IsolateThreadSpec["kind"], module: URL | string, exportName: string, args: readonly unknown[], processOptions?: ProcessOptions): ThreadSpec {
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

/** The keys of a {@link ScenarioDefinition}. */
export const SCENARIO_KEYS: readonly string[] = Object.freeze(["setup", "threads", "invariant", "teardown"]);

/** Throws an {@link UnknownScenarioKeyError} (`E_SCENARIO_INVALID`) for a key that is not in {@link SCENARIO_KEYS}. */
export function checkScenarioKeys(definition: object): void {
  for (const key of Object.keys(definition)) {
    if (!SCENARIO_KEYS.includes(key)) throw new UnknownScenarioKeyError(key, SCENARIO_KEYS, closest(key, SCENARIO_KEYS));
  }
}

/** Throws unless `spec` is a thread made by `thread.*` under a valid name. */
export function checkThread(name: string, spec: unknown): asserts spec is ThreadSpec {
  if (!NAME_PATTERN.test(name)) {
    throw new ScenarioError(`Invalid thread name ${JSON.stringify(name)}: names start with a letter, _ or $ and continue with letters, digits, _, $, . or -.`);
  }
  if (typeof spec !== "object" || spec === null || (spec as Record<symbol, unknown>)[THREAD] !== true) {
    throw new ScenarioError(`Thread "${name}" must be made with thread.worker(...), thread.process(...) or thread.task(fn).`);
  }
}

/**
 * The kind shared by all threads: tasks run in this isolate, workers and processes in their own;
 * one run drives one kind. Throws a {@link ScenarioError} for a mix.
 */
export function threadsKind(threads: Readonly<Record<string, ThreadSpec>>): "task" | "isolate" {
  const specs = Object.entries(threads);
  const tasks = specs.filter(([, spec]) => spec.kind === "task").map(([name]) => name);
  if (tasks.length === 0) return "isolate";
  if (tasks.length === specs.length) return "task";
  const others = specs.filter(([, spec]) => spec.kind !== "task").map(([name]) => name);
  throw new ScenarioError(
    `A scenario's threads must all be tasks or all be workers/processes: ${tasks.join(", ")} ${tasks.length > 1 ? "are tasks" : "is a task"}, ` +
      `${others.join(", ")} ${others.length > 1 ? "are not" : "is not"}. Split it into two scenarios.`,
  );
}

/**
 * Throws {@link ModuleNotFoundError} unless every thread module exists on disk, and
 * {@link MainThreadRequiredError} for worker threads when this code is not on a process's main thread.
 */
export function checkThreadModules(threads: Readonly<Record<string, ThreadSpec>>): void {
  const workers = Object.entries(threads).filter(([, spec]) => spec.kind === "worker").map(([name]) => name);
  if (workers.length > 0 && !isMainThread) throw new MainThreadRequiredError(workers);
  for (const [name, spec] of Object.entries(threads)) {
    if (spec.kind === "task") continue;
    const path = fileURLToPath(spec.module);
    if (!existsSync(path)) throw new ModuleNotFoundError(`Module of thread "${name}"`, path);
  }
}
