import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SourceMapGenerator } from "source-map";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSourceMap, SourceMapIndex } from "../../../src/markers/source-map.js";

/**
 * A map of /proj/out/app.js (one source, ../src/app.ts) with these segments (generated 1-based
 * line:column ← original line:column):
 *   1:0 ← 1:0, 1:10 ← 3:4, 1:20 ← 3:10, 1:30 ← (no source), 2:4 ← 3:4, 2:8 ← 30:0, 3:0 ← 8:2
 */
function sampleMap(): string {
  const gen = new SourceMapGenerator({ file: "app.js" });
  const add = (gl: number, gc: number, ol: number, oc: number): void =>
    gen.addMapping({ generated: { line: gl, column: gc }, original: { line: ol, column: oc }, source: "../src/app.ts" });
  add(1, 0, 1, 0);
  add(1, 10, 3, 4);
  add(1, 20, 3, 10);
  gen.addMapping({ generated: { line: 1, column: 30 } } as Parameters<SourceMapGenerator["addMapping"]>[0]);
  add(2, 4, 3, 4);
  add(2, 8, 30, 0);
  add(3, 0, 8, 2);
  gen.setSourceContent("../src/app.ts", "original text");
  return gen.toString();
}

const APP_TS = "/proj/src/app.ts";

describe("SourceMapIndex", () => {
  let index: SourceMapIndex;
  beforeAll(async () => {
    index = await SourceMapIndex.fromJSON(sampleMap(), "/proj/out/app.js.map");
  });

  test("sources resolve against the map location to absolute paths", () => {
    expect(index.sources).toEqual([APP_TS]);
  });

  test("sourceContent returns the embedded text, null for unknown sources", () => {
    expect(index.sourceContent(APP_TS)).toBe("original text");
    expect(index.sourceContent(pathToFileURL(APP_TS).href)).toBe("original text");
    expect(index.sourceContent("/proj/src/other.ts")).toBeNull();
  });

  test("generatedFor picks the smallest original column >= column, earliest generated first", () => {
    expect(index.generatedFor(APP_TS, 3, 0)).toEqual({ line0: 0, column0: 10 });
    expect(index.generatedFor(APP_TS, 3, 4)).toEqual({ line0: 0, column0: 10 });
    expect(index.generatedFor(APP_TS, 3, 5)).toEqual({ line0: 0, column0: 20 });
  });

  test("generatedFor falls back to the first mapping of a following line, within 20 lines", () => {
    expect(index.generatedFor(APP_TS, 3, 11)).toEqual({ line0: 2, column0: 0 });
    expect(index.generatedFor(APP_TS, 4, 0)).toEqual({ line0: 2, column0: 0 });
    expect(index.generatedFor(APP_TS, 10, 0)).toEqual({ line0: 1, column0: 8 });
    expect(index.generatedFor(APP_TS, 9, 0)).toBeNull();
  });

  test("generatedFor accepts a file: URL for the source and returns null for unknown sources", () => {
    expect(index.generatedFor(pathToFileURL(APP_TS).href, 8, 0)).toEqual({ line0: 2, column0: 0 });
    expect(index.generatedFor("/proj/src/nope.ts", 3, 0)).toBeNull();
  });

  test("originalFor returns the nearest mapping at or before the position on its line", () => {
    expect(index.originalFor(0, 0)).toEqual({ source: APP_TS, line: 1, column: 0 });
    expect(index.originalFor(0, 15)).toEqual({ source: APP_TS, line: 3, column: 4 });
    expect(index.originalFor(0, 20)).toEqual({ source: APP_TS, line: 3, column: 10 });
    expect(index.originalFor(1, 9)).toEqual({ source: APP_TS, line: 30, column: 0 });
  });

  test("originalFor is null before a line's first mapping, on unmapped lines and in source-less segments", () => {
    expect(index.originalFor(1, 2)).toBeNull();
    expect(index.originalFor(7, 0)).toBeNull();
    expect(index.originalFor(0, 35)).toBeNull();
  });

  test("sourceRoot is applied, absolute or relative to the map", async () => {
    const map = (sourceRoot: string): string =>
      JSON.stringify({ version: 3, sourceRoot, sources: ["a.ts"], names: [], mappings: "AAAA" });
    expect((await SourceMapIndex.fromJSON(map("/abs/root/"), "/proj/out/a.js.map")).sources).toEqual(["/abs/root/a.ts"]);
    expect((await SourceMapIndex.fromJSON(map("../lib"), "file:///proj/out/a.js.map")).sources).toEqual(["/proj/lib/a.ts"]);
  });

  test("non-file sources are kept as URLs (normalized by source-map), not turned into paths", async () => {
    const raw = JSON.stringify({ version: 3, sources: ["webpack://app/./a.ts"], names: [], mappings: "AAAA" });
    const idx = await SourceMapIndex.fromJSON(raw, "/proj/out/a.js.map");
    expect(idx.sources).toEqual(["webpack://app/a.ts"]);
    expect(idx.originalFor(0, 0)?.source).toBe("webpack://app/a.ts");
  });

  test("index maps with sections are supported", async () => {
    const part = (source: string): object => ({ version: 3, sources: [source], names: [], mappings: "AAAA,IAAI" });
    const raw = JSON.stringify({
      version: 3,
      sections: [
        { offset: { line: 0, column: 0 }, map: part("one.ts") },
        { offset: { line: 10, column: 0 }, map: part("two.ts") },
      ],
    });
    const idx = await SourceMapIndex.fromJSON(raw, "/proj/out/bundle.js.map");
    expect(idx.originalFor(0, 5)).toEqual({ source: "/proj/out/one.ts", line: 1, column: 4 });
    expect(idx.originalFor(10, 0)).toEqual({ source: "/proj/out/two.ts", line: 1, column: 0 });
    expect(idx.generatedFor("/proj/out/two.ts", 1, 1)).toEqual({ line0: 10, column0: 4 });
  });

  test.each([
    ["not json", /not valid JSON/],
    ['{"version":2,"sources":[],"mappings":""}', /unsupported source map version 2/],
    ['{"version":3}', /no "mappings"/],
    ['{"version":3,"sources":["a.ts"],"names":[],"mappings":"!!!"}', /./],
  ])("fromJSON rejects %j", async (raw, message) => {
    await expect(SourceMapIndex.fromJSON(raw, "/proj/a.js.map")).rejects.toThrow(message);
  });
});

describe("loadSourceMap", () => {
  const json = sampleMap();
  const reads: string[] = [];
  const readFile = async (path: string): Promise<string> => {
    reads.push(path);
    return json;
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "interlace-sourcemap-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ["base64", `data:application/json;base64,${Buffer.from(json).toString("base64")}`],
    ["charset + base64", `data:application/json;charset=utf-8;base64,${Buffer.from(json).toString("base64")}`],
    ["percent-encoded", `data:application/json,${encodeURIComponent(json)}`],
  ])("reads an inline %s data: URL, resolving sources against the script", async (_kind, url) => {
    reads.length = 0;
    const load = await loadSourceMap("file:///proj/out/app.js", url, readFile);
    expect(load.problem).toBeNull();
    expect(load.location).toBe("inline data: URL");
    expect(load.index?.sources).toEqual([APP_TS]);
    expect(reads).toEqual([]);
  });

  test.each([
    ["a relative URL", "file:///proj/out/app.js", "app.js.map", "/proj/out/app.js.map"],
    ["a relative URL from a path", "/proj/out/app.js", "./app.js.map", "/proj/out/app.js.map"],
    ["a percent-encoded relative URL", "file:///proj/out/app.js", "my%20app.js.map", "/proj/out/my app.js.map"],
    ["a file: URL", "file:///proj/out/app.js", "file:///proj/out/app.js.map", "/proj/out/app.js.map"],
    ["an absolute path", "file:///proj/out/app.js", "/proj/out/app.js.map", "/proj/out/app.js.map"],
  ])("reads the map file named by %s", async (_kind, scriptUrl, mapUrl, expectedPath) => {
    reads.length = 0;
    const load = await loadSourceMap(scriptUrl, mapUrl, readFile);
    expect(reads).toEqual([expectedPath]);
    expect(load.location).toBe(expectedPath);
    expect(load.index?.sources).toEqual([APP_TS]);
  });

  test("resolves sources against the map file, not the script, when they are in different folders", async () => {
    const raw = JSON.stringify({ version: 3, sources: ["../src/app.ts"], names: [], mappings: "AAAA" });
    const load = await loadSourceMap("file:///proj/out/deep/app.js", "../../maps/app.js.map", async () => raw);
    expect(load.location).toBe("/proj/maps/app.js.map");
    expect(load.index?.sources).toEqual(["/proj/src/app.ts"]);
  });

  test("reads a real file with the default readFile", async () => {
    await writeFile(join(dir, "real.js.map"), json);
    const load = await loadSourceMap(pathToFileURL(join(dir, "real.js")).href, "real.js.map");
    expect(load.problem).toBeNull();
    expect(load.index?.sources).toEqual([join(dir, "../src/app.ts")]);
  });

  test("a missing map file gives a problem, not an exception", async () => {
    const load = await loadSourceMap(pathToFileURL(join(dir, "x.js")).href, "missing.js.map");
    expect(load.index).toBeNull();
    expect(load.location).toBe(join(dir, "missing.js.map"));
    expect(load.problem).toMatch(/ENOENT/);
  });

  test.each([
    ["an http URL", "https://cdn.example.com/app.js.map", /unsupported source map URL scheme "https:"/],
    ["a data: URL without a comma", "data:application/json;base64", /malformed data: URL/],
    ["a data: URL holding garbage", `data:application/json;base64,${Buffer.from("{oops").toString("base64")}`, /not valid JSON/],
    ["a data: URL with bad percent-encoding", "data:application/json,%E0%A4%A", /URI/],
  ])("%s gives a problem, not an exception", async (_kind, url, problem) => {
    const load = await loadSourceMap("file:///proj/out/app.js", url, readFile);
    expect(load.index).toBeNull();
    expect(load.problem).toMatch(problem);
  });
});
