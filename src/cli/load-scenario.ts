/** Loads a scenario module (TS or JS, ESM or CJS) and a schedule argument. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleNotFoundError, ScheduleSyntaxError, ScenarioLoadError, InterlaceError } from "../errors.js";
import { Schedule } from "../engine/schedule.js";
import { checkScenario, isScenario, type ScenarioDefinition } from "../scenario.js";

/** Imports `path` and returns its default export, checked as a scenario. */
export async function loadScenario(path: string): Promise<ScenarioDefinition> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ModuleNotFoundError("Scenario file", absolute);
  let mod: Record<string, unknown>;
  try {
    const { tsImport } = await import("tsx/esm/api");
    mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof InterlaceError) throw error;
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
  return scenario;
}

/** Reads `--schedule`: inline steps, or the path of a .json / .txt schedule file. */
export function loadSchedule(value: string | undefined): Schedule {
  if (value === undefined) {
    throw new ScheduleSyntaxError('interlace run needs --schedule, e.g. --schedule "t1:read_balance t2:read_balance".');
  }
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
