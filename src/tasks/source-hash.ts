/**
 * Content hashes of the traced files a run went through, so a replay on changed sources is
 * reported as such instead of silently following decisions that no longer mean the same thing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InterlaceError } from "../errors.js";
import type { ExploreStep } from "../engine/task-explore.js";
import type { Counterexample, SourceDigest } from "../engine/counterexample.js";
import { relativeToRoot, resolveRecorded } from "../explore/source-root.js";

/**
 * The sources behind the positions of a run's steps, with paths relative to `root` (the package
 * root of the scenario, `explore/source-root.ts`).
 */
export function hashSources(steps: readonly ExploreStep[], root: string): SourceDigest[] {
  const files = [...new Set(steps.flatMap((s) => (s.where ? [s.where.file] : [])))];
  return files.map((file) => ({ file: relativeToRoot(file, root), sha256: digest(resolve(file)) ?? "unreadable" })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** A replay was asked for on sources that changed since the counterexample was recorded. */
export class SourceChangedError extends InterlaceError {
  constructor(changed: readonly string[], missing: readonly string[], root: string | null = null) {
    const parts = [
      changed.length ? `changed since the counterexample was recorded: ${changed.join(", ")}` : "",
      missing.length
        ? root === null
          ? `not found from ${process.cwd()}: ${missing.join(", ")} (this counterexample records paths relative to the folder it was recorded in: replay from there)`
          : `not found under ${root} (the package root of the scenario's threads): ${missing.join(", ")}`
        : "",
    ].filter(Boolean);
    super(
      "E_SOURCE_CHANGED",
      "input",
      `Traced sources ${parts.join("; ")}. The recorded decisions may no longer mean the same interleaving; ` +
        "explore again to find a fresh counterexample.",
    );
  }
}

/**
 * Throws {@link SourceChangedError} unless every recorded source still has its recorded hash.
 * `root`: the package root of the scenario being replayed, where paths recorded with
 * `sourceRoot: "package"` are resolved (older counterexamples resolve from the working directory).
 */
export function checkSources(counterexample: Counterexample, root: string): void {
  const base = counterexample.sourceRoot === "package" ? root : null;
  const current = counterexample.sources.map((s) => ({ ...s, now: digest(resolveRecorded(s.file, base)) }));
  const missing = current.filter((s) => s.now === undefined).map((s) => s.file);
  const changed = current.filter((s) => s.now !== undefined && s.now !== s.sha256).map((s) => s.file);
  if (changed.length > 0 || missing.length > 0) throw new SourceChangedError(changed, missing, base);
}

function digest(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}
