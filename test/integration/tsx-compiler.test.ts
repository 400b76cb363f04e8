/**
 * TypeScript threads compile through tsx, whose esbuild helper process is started inside the
 * thread's isolate. A module nobody compiled before (fresh content, so tsx's cache misses) makes
 * tsx start that process; after the run it must be gone, not left as a zombie child of the
 * controller. Before runtime/tsx-compiler.mjs, each such run left one.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TraceExecutor, thread } from "interlace";
import { childProcesses } from "../helpers/leaks.js";

const dir = mkdtempSync(join(tmpdir(), "interlace-tsx-"));
writeFileSync(join(dir, "package.json"), '{ "type": "module" }');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A TypeScript module with content no cache has seen, in ESM or CJS flavour. */
function freshModule(kind: "esm" | "cjs"): URL {
  const stamp = `${process.pid}_${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const file = join(dir, `bump-${stamp}.${kind === "esm" ? "mts" : "cts"}`);
  const body = `const stamp: string = "${stamp}";\n` +
    `${kind === "esm" ? "export function" : "function"} bump(state: { cells: Int32Array }): void {\n` +
    `  state.cells[0] = state.cells[0]! + stamp.length; // interlace: bump\n}\n` +
    (kind === "cjs" ? "module.exports = { bump };\n" : "");
  writeFileSync(file, body);
  return pathToFileURL(file);
}

describe("tsx's compiler process in worker threads", () => {
  it.each(["esm", "cjs"] as const)("is gone after a run that compiled a new %s module", async (kind) => {
    const module = freshModule(kind);

    const result = await new TraceExecutor("t1:bump").run({
      setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(4)) }),
      threads: { t1: thread.worker(module, "bump") },
    });

    expect(result.state.cells[0]).toBeGreaterThan(0);
    // Reaping is synchronous with the shutdown handshake: no waiting needed, any child is a leak.
    expect(childProcesses().map((p) => `${p.pid} ${p.comm} ${p.state}`)).toEqual([]);
  });
});
