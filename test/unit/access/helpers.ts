/**
 * Helpers for the access transform tests: running a fixture as written and as instrumented (no
 * sink, then a recording sink) and comparing what each did.
 *
 * A fixture is a function body: it gets `log` (an array to push side effects to) and returns its
 * result. It runs through `vm.runInThisContext`, so the instrumented copy finds the runtime that
 * `access-recorder.ts` registered when this file imported it.
 */
import { runInThisContext } from "node:vm";
import * as esbuild from "esbuild";
import { expect } from "vitest";
import type { Access } from "../../../src/strategies/access.js";
import { resetAccessIds, setAccessSink } from "../../../src/access/recorder.js";
import { instrumentAccesses, type AccessTransformResult } from "../../../src/access/transform.js";

export interface FixtureOptions {
  /** TypeScript source: types are stripped (by esbuild) from the original and the instrumented code. */
  ts?: boolean;
  /** Transform as an ES module (strict code); the fixture then runs in a strict function. */
  module?: boolean;
  /** Compare error messages too (they differ where V8 quotes the instrumented source). */
  messages?: boolean;
}

/** What running a fixture did. */
export interface Outcome {
  value?: unknown;
  error?: { name: string; message?: string };
  log: unknown[];
}

let counter = 0;

/** A fresh file name for a fixture (stack traces and maps name it). */
export function fixtureName(ext = ".js"): string {
  counter += 1;
  return `/fixtures/access/case${counter}${ext}`;
}

/** Instruments a fixture body (as CommonJS, or as a module with `module: true`). */
export function instrumentFixture(source: string, options: FixtureOptions = {}, filename = fixtureName(options.ts === true ? ".ts" : ".js")): AccessTransformResult {
  return instrumentAccesses(source, { filename, format: options.module === true ? "module" : "commonjs" });
}

/** Strips TypeScript syntax, keeping the layout of every line that has code. */
function stripTypes(code: string): string {
  return esbuild.transformSync(code, { loader: "ts", target: "es2022" }).code;
}

/** Runs a fixture body; a result that is a promise is awaited. */
export async function run(code: string, options: FixtureOptions = {}, filename = fixtureName()): Promise<Outcome> {
  const body = options.ts === true ? stripTypes(code) : code;
  const strict = options.module === true ? '"use strict";' : "";
  const log: unknown[] = [];
  try {
    const fixture = runInThisContext(`(async function (log) {${strict}\n${body}\n})`, { filename }) as (
      log: unknown[],
    ) => Promise<unknown>;
    return { value: await fixture(log), log };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: typeof error, message: String(error) };
    return { error: options.messages === true ? { name, message } : { name }, log };
  }
}

/**
 * Runs `source` as written, then instrumented without a sink and with a recording one, expects
 * the three runs to agree, and returns the accesses recorded and the instrumented code.
 */
export async function sameBehaviour(
  source: string,
  options: FixtureOptions = {},
): Promise<{ accesses: Access[]; code: string; outcome: Outcome }> {
  // The instrumented code runs under the name it was instrumented as: the runtime tells traced
  // functions by the file that defines them.
  const filename = fixtureName(options.ts === true ? ".ts" : ".js");
  const { code } = instrumentFixture(source, options, filename);
  const original = await run(source, options);
  setAccessSink(null);
  const plain = await run(code, options, filename);
  const accesses: Access[] = [];
  resetAccessIds();
  setAccessSink((access) => accesses.push(access));
  try {
    const recorded = await run(code, options, filename);
    expect(plain, "instrumented, no sink").toEqual(original);
    expect(recorded, "instrumented, recording").toEqual(original);
  } finally {
    setAccessSink(null);
  }
  return { accesses, code, outcome: original };
}

/** Runs an instrumented fixture with a recording sink; returns its accesses as `op location` strings. */
export async function recordedAccesses(source: string, options: FixtureOptions = {}): Promise<string[]> {
  return (await recordFull(source, options)).map((a) => `${a.op} ${a.location}`);
}

/** Runs an instrumented fixture with a recording sink; returns its accesses. */
export async function recordFull(source: string, options: FixtureOptions = {}): Promise<Access[]> {
  const filename = fixtureName(options.ts === true ? ".ts" : ".js");
  const { code } = instrumentFixture(source, options, filename);
  const accesses: Access[] = [];
  resetAccessIds();
  setAccessSink((access) => accesses.push(access));
  try {
    const outcome = await run(code, options, filename);
    if (outcome.error !== undefined) throw new Error(`fixture failed: ${JSON.stringify(outcome.error)}`);
  } finally {
    setAccessSink(null);
  }
  return accesses;
}

/** The instrumented code without its preamble, for reading forms. */
export function forms(source: string, options: FixtureOptions = {}): string {
  return instrumentFixture(source, options).code.replace(/^var __ila=[^\n]*?\)\(\);var __ilaF=__ila\.f\("[^"]*",\[[^\]\n]*\]\);/, "");
}

/** A fixture from its lines. */
export const lines = (...source: string[]): string => source.join("\n");
