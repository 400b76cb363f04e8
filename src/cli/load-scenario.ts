/** Loads a scenario module (TS or JS, ESM or CJS) and a schedule argument. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleLoadError, ModuleNotFoundError, ScheduleSyntaxError, ScenarioLoadError, InterlaceError } from "../errors.js";
import { Schedule } from "../engine/schedule.js";
import { parseCounterexample, type Counterexample } from "../engine/counterexample.js";
import { checkScenario, checkScenarioKeys, isScenario, type ScenarioDefinition } from "../scenario.js";
import { findSyntaxError, formatSyntaxError } from "./syntax-location.js";

/**
 * Imports `path` and returns its default export, checked as a scenario.
 *
 * @param registered - tsx's hooks are registered in this thread already (the debug task host):
 *   import the file itself, not through `tsImport`'s namespace (whose `?tsx-namespace=` query
 *   would be in every script URL a debugger sees).
 */
export async function loadScenario(path: string, registered = false): Promise<ScenarioDefinition> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ModuleNotFoundError("Scenario file", absolute);
  let mod: Record<string, unknown>;
  try {
    if (registered) mod = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    else {
      const { tsImport } = await import("tsx/esm/api");
      mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof InterlaceError) throw error;
    // Thrown by another copy of interlace (the scenario resolved "interlace" elsewhere): same code.
    const foreign = error as { code?: unknown; category?: unknown; message?: unknown };
    if (typeof foreign.code === "string" && /^E_[A-Z_]+$/.test(foreign.code) && (foreign.category === "input" || foreign.category === "fault")) {
      throw new InterlaceError(foreign.code, foreign.category, String(foreign.message), { cause: error });
    }
    // A syntax error in the scenario or a module it imports: say where (Node's own message does not).
    const found = looksLikeSyntaxError(error) ? findSyntaxError(absolute) : null;
    if (found !== null) throw new ScenarioLoadError(path, `importing it failed on a syntax error:\n${formatSyntaxError(found)}`);
    throw new ScenarioLoadError(path, `importing it threw:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  let scenario = mod.default;
  // CJS scenarios: module.exports = defineScenario(...) arrives as default, possibly nested once.
  if (!isScenario(scenario) && scenario && typeof scenario === "object" && "default" in scenario) {
    scenario = (scenario as Record<string, unknown>).default;
  }
  if (scenario === undefined) {
    throw new ScenarioLoadError(path, "it has no default export. End it with `export default defineScenario({ ... })`.");
  }
  checkScenario(scenario);
  if (!isScenario(scenario)) checkScenarioKeys(scenario);
  return scenario;
}

function looksLikeSyntaxError(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return /SyntaxError|TransformError|Transform failed|Unexpected token/.test(text);
}

/**
 * A thread module that failed to load on a syntax error (\`E_MODULE_LOAD\`), with the file:line:column
 * found by re-parsing it when what the thread reported lacks them. Other errors are returned as they are.
 */
export function withSyntaxLocation(error: InterlaceError): InterlaceError {
  if (!(error instanceof ModuleLoadError) || !looksLikeSyntaxError(error.detail)) return error;
  const found = findSyntaxError(resolve(error.modulePath));
  if (found === null) return error;
  return new ModuleLoadError(error.thread, error.modulePath, formatSyntaxError(found));
}

/** Reads `--schedule`: inline steps, or the path of a .json / .txt schedule file. */
export function loadSchedule(value: string): Schedule {
  if (/\.(json|txt)$/i.test(value)) {
    let text: string;
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      throw new ScheduleSyntaxError(`Cannot read schedule file ${value}: ${(error as Error).message}`);
    }
    return Schedule.fromText(text, `schedule file ${value}`);
  }
  return Schedule.parse(value);
}

/** Reads and checks a counterexample file (`--save` output), with the file named in its errors. */
export function readCounterexample(path: string): Counterexample {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ScheduleSyntaxError(`Cannot read counterexample file ${path}: ${(error as Error).message}`);
  }
  return parseCounterexample(text, `counterexample file ${path}`);
}
