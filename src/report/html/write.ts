/**
 * Writing a report: the target is checked before anything runs (its folder is created, a folder
 * given as the file is refused), sources are read when the report is made, the page is written in
 * one go.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { InterlaceError } from "../../errors.js";
import { buildModel, type ReportInput } from "./model.js";
import { renderReport } from "./render.js";

/** The report file cannot be written where it was asked for. */
export class ReportPathError extends InterlaceError {
  constructor(message: string) {
    super("E_REPORT_PATH", "input", message);
  }
}

/** What the `report` option of `explore()` / `replay()` takes: a file path, or the path and what the replay command should say. */
export type ReportOption = string | { file: string; counterexampleFile?: string };

/** The report asked for, normalised. */
export interface ReportTarget {
  /** Absolute path of the HTML file. */
  file: string;
  /** Where the counterexample was saved, for the replay command (the CLI's `--save`, or the file replayed). */
  counterexampleFile: string | null;
}

/**
 * Checks a report path before the exploration: creates its folder, refuses a folder as the file.
 * Throws {@link ReportPathError}.
 */
export function reportTarget(option: ReportOption): ReportTarget {
  const given = typeof option === "string" ? option : option?.file;
  if (typeof given !== "string" || given.trim() === "") throw new ReportPathError(`report must be a file path such as "race.html", got ${JSON.stringify(given)}.`);
  const file = resolve(given);
  if (existsSync(file) && statSync(file).isDirectory()) throw new ReportPathError(`report ${given} is a folder; give a file path such as ${given.replace(/\/?$/, "/race.html")}.`);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new ReportPathError(`report ${given}: cannot create its folder ${dirname(file)}: ${(error as Error).message}`);
  }
  const saved = typeof option === "string" ? undefined : option.counterexampleFile;
  return { file, counterexampleFile: saved ?? null };
}

/** Reads sources as steps display them: relative to the working directory (or absolute). */
export function sourceReader(cwd = process.cwd()): (file: string) => string | null {
  const cache = new Map<string, string | null>();
  return (file) => {
    if (!cache.has(file)) {
      let text: string | null;
      try {
        text = readFileSync(isAbsolute(file) ? file : resolve(cwd, file), "utf8");
      } catch {
        text = null;
      }
      cache.set(file, text);
    }
    return cache.get(file)!;
  };
}

/** The HTML page of a report (sources read now). */
export function reportHTML(input: Omit<ReportInput, "source">): string {
  return renderReport(buildModel({ ...input, source: sourceReader() }));
}

/** Writes the page. Throws {@link ReportPathError} when the file cannot be written. */
export function writeReport(file: string, html: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, html);
  } catch (error) {
    throw new ReportPathError(`cannot write the report ${file}: ${(error as Error).message}`);
  }
}
