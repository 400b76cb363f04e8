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

/** The sources behind the positions of a run's steps. */
export function hashSources(steps: readonly ExploreStep[]): SourceDigest[] {
  const files = [...new Set(steps.flatMap((s) => (s.where ? [s.where.file] : [])))].sort();
  return files.map((file) => ({ file, sha256: digest(file) ?? "unreadable" }));
}

/** A replay was asked for on sources that changed since the counterexample was recorded. */
export class SourceChangedError extends InterlaceError {
  constructor(changed: readonly string[], missing: readonly string[]) {
    const parts = [
      changed.length ? `changed since the counterexample was recorded: ${changed.join(", ")}` : "",
      missing.length ? `not found from ${process.cwd()}: ${missing.join(", ")} (replay from the folder the counterexample was recorded in)` : "",
    ].filter(Boolean);
    super(
      "E_SOURCE_CHANGED",
      "input",
      `Traced sources ${parts.join("; ")}. The recorded decisions may no longer mean the same interleaving; ` +
        "explore again to find a fresh counterexample.",
    );
  }
}

/** Throws {@link SourceChangedError} unless every recorded source still has its recorded hash. */
export function checkSources(counterexample: Counterexample): void {
  const current = counterexample.sources.map((s) => ({ ...s, now: digest(s.file) }));
  const missing = current.filter((s) => s.now === undefined).map((s) => s.file);
  const changed = current.filter((s) => s.now !== undefined && s.now !== s.sha256).map((s) => s.file);
  if (changed.length > 0 || missing.length > 0) throw new SourceChangedError(changed, missing);
}

function digest(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(resolve(file))).digest("hex");
  } catch {
    return undefined;
  }
}
