/**
 * Helpers for the task transform tests: temp files, loading instrumented CommonJS through Node's
 * real `require`, a recording gate run, and independent position arithmetic.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@babel/parser";
import { TraceMap, generatedPositionFor, originalPositionFor } from "@jridgewell/trace-mapping";
import { expect } from "vitest";
import { getGates, type GateRun, type GateSite } from "../../../src/tasks/gates.js";
import { instrument, type EncodedMap, type InstrumentOptions, type InstrumentResult } from "../../../src/tasks/transform.js";

const require = createRequire(import.meta.url);

/** A temp directory for one test file. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), "interlace-transform-"));
  #counter = 0;

  /** A fresh absolute file name with `ext`, so `require`'s cache never returns an older module. */
  file(ext: string): string {
    this.#counter += 1;
    return join(this.path, `case${this.#counter}${ext}`);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Instruments `source`, failing the test when the transform declines. */
export function mustInstrument(source: string, options: InstrumentOptions): InstrumentResult {
  const result = instrument(source, options);
  if (result === null) throw new Error(`instrument() returned null for ${options.filename}`);
  return result;
}

/** Writes `code` to `filename` and loads it with Node's own CommonJS loader. */
export function requireCode<T>(filename: string, code: string): T {
  writeFileSync(filename, code);
  return require(filename) as T;
}

/** One call into the gate run, as recorded. */
export interface GateCall {
  gate: "a" | "m" | "i";
  /** The site the call named, resolved through the file table. */
  site: GateSite;
  url: string;
  value?: unknown;
}

/**
 * Installs a recording run on the shared gate object. `onCall` may push into a shared event log;
 * `transform` may replace what `a` returns. Call `stop()` to restore `run = null`.
 */
export function recordGates(
  options: { onCall?: (call: GateCall) => void; transform?: (value: unknown) => unknown } = {},
): { calls: GateCall[]; stop(): void } {
  const gates = getGates();
  const calls: GateCall[] = [];
  const record = (gate: GateCall["gate"], file: number, index: number, value?: unknown): void => {
    const table = gates.files[file];
    const site = table?.sites[index];
    if (table === undefined || site === undefined) throw new Error(`unknown gate site ${file}/${index}`);
    const call: GateCall = { gate, site, url: table.url, ...(gate === "m" ? {} : { value }) };
    calls.push(call);
    options.onCall?.(call);
  };
  const run: GateRun = {
    a(value, file, index) {
      record("a", file, index, value);
      return options.transform === undefined ? value : options.transform(value);
    },
    m(file, index) {
      record("m", file, index);
      return Promise.resolve();
    },
    i(iterable, file, index) {
      record("i", file, index, iterable);
      return iterable;
    },
    p() {
      return undefined;
    },
  };
  gates.run = run;
  return {
    calls,
    stop() {
      gates.run = null;
    },
  };
}

/** 1-based line and 0-based column of the `nth` (0-based) occurrence of `needle`, computed independently. */
export function at(source: string, needle: string | RegExp, nth = 0): { line: number; column: number } {
  const pattern = typeof needle === "string" ? new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g") : needle;
  const matches = [...source.matchAll(pattern)];
  const index = matches[nth]?.index;
  if (index === undefined) throw new Error(`fixture does not contain ${String(needle)} #${nth}`);
  const lines = source.slice(0, index).split("\n");
  return { line: lines.length, column: lines.at(-1)?.length ?? 0 };
}

/** Every position of the `await` keyword in `source` (fixtures have no `await` in strings or comments). */
export function awaitPositions(source: string): [number, number][] {
  return [...source.matchAll(/\bawait\b/g)].map((_, n) => {
    const { line, column } = at(source, /\bawait\b/g, n);
    return [line, column];
  });
}

/** Every identifier of `source` (parsed as `plugins` say), with its position. */
export function identifiers(source: string, plugins: ("typescript" | "jsx")[] = []): { name: string; line: number; column: number }[] {
  const file = parse(source, { sourceType: "module", plugins, tokens: true, allowReturnOutsideFunction: true });
  const out: { name: string; line: number; column: number }[] = [];
  for (const token of file.tokens ?? []) {
    const t = token as { type: { label: string } | string; value?: unknown; loc: { start: { line: number; column: number } } };
    const label = typeof t.type === "string" ? t.type : t.type.label;
    if (label === "name" && typeof t.value === "string") out.push({ name: t.value, ...t.loc.start });
  }
  return out;
}

/**
 * Expects every identifier of `source` to map through `map` to a position of `code` on its own
 * line where the identifier stands, after what `prefix` matches (the helper calls an access
 * became: `(`, `__ila.g(`, `"`), and that position to map back to the identifier.
 */
export function expectIdentifiersMapped(source: string, code: string, map: EncodedMap, filename: string, prefix = ""): void {
  const trace = new TraceMap(map);
  const outLines = code.split("\n");
  for (const id of identifiers(source)) {
    const where = `${id.name} at ${id.line}:${id.column}`;
    const generated = generatedPositionFor(trace, { source: filename, line: id.line, column: id.column });
    expect(generated.line, where).toBe(id.line);
    const text = (outLines[(generated.line ?? 0) - 1] ?? "").slice(generated.column ?? 0);
    expect(text, where).toMatch(new RegExp(`^${prefix}${id.name}`));
    const back = originalPositionFor(trace, { line: generated.line ?? 0, column: generated.column ?? 0 });
    expect([back.line, back.column], where).toEqual([id.line, id.column]);
  }
}

/** What may stand before an identifier in access-instrumented code (see {@link expectIdentifiersMapped}). */
export const ACCESS_PREFIX = '(?:\\(|__ila\\.\\w\\(|")*';
