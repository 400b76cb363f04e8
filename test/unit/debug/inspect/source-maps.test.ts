/**
 * source-maps.ts: what a DevTools client receives for a script whose source map lacks its
 * sources (tsx's inline maps with `sourcesContent: [null]`, tsc's `.map` files), with real files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Protocol } from "devtools-protocol";
import { afterAll, describe, expect, it } from "vitest";
import { clientScript } from "../../../../src/debug/inspect/source-maps.js";

const dir = mkdtempSync(join(tmpdir(), "interlace-source-maps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = join(dir, "account.ts");
writeFileSync(source, "export const x: number = 1;\n");

function script(url: string, sourceMapURL: string): Protocol.Debugger.ScriptParsedEvent {
  return { scriptId: "1", url, startLine: 0, startColumn: 0, endLine: 1, endColumn: 0, executionContextId: 1, hash: "h", buildId: "", sourceMapURL };
}
const inline = (map: object) => `data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}`;
function mapOf(event: Protocol.Debugger.ScriptParsedEvent): { sources: string[]; sourcesContent: (string | null)[]; sourceRoot?: string } {
  const url = event.sourceMapURL!;
  expect(url.startsWith("data:application/json")).toBe(true);
  return JSON.parse(Buffer.from(url.slice(url.indexOf(",") + 1), "base64").toString("utf8"));
}

describe("clientScript", () => {
  it("fills an inline map's null sourcesContent from the file (absolute path source, as tsx writes it)", () => {
    const event = script(pathToFileURL(source).href, inline({ version: 3, sources: [source], sourcesContent: [null], mappings: "AAAA" }));
    const map = mapOf(clientScript(event));
    expect(map.sourcesContent).toEqual(["export const x: number = 1;\n"]);
    expect(map.sources).toEqual([pathToFileURL(source).href]);
    expect(clientScript(event)).toBe(clientScript(event));
  });

  it("inlines a .map file beside the script, resolving relative sources and sourceRoot against the map", () => {
    writeFileSync(join(dir, "out.js.map"), JSON.stringify({ version: 3, sourceRoot: "./", sources: ["account.ts"], mappings: "AAAA" }));
    const map = mapOf(clientScript(script(pathToFileURL(join(dir, "out.js")).href, "out.js.map")));
    expect(map.sources).toEqual([pathToFileURL(source).href]);
    expect(map.sourceRoot).toBeUndefined();
    expect(map.sourcesContent).toEqual(["export const x: number = 1;\n"]);
  });

  it("leaves a script alone when nothing is missing or nothing can be read", () => {
    const complete = script(pathToFileURL(source).href, inline({ version: 3, sources: [source], sourcesContent: ["kept"], mappings: "AAAA" }));
    expect(clientScript(complete)).toBe(complete);
    const missing = script(pathToFileURL(source).href, inline({ version: 3, sources: [join(dir, "gone.ts")], sourcesContent: [null], mappings: "AAAA" }));
    expect(clientScript(missing)).toBe(missing);
    const remote = script("https://example.com/app.js", "app.js.map");
    expect(clientScript(remote)).toBe(remote);
    const none = script(pathToFileURL(source).href, "");
    expect(clientScript(none)).toBe(none);
  });
});
