// Re-parsing a module that failed to load on a syntax error, to report file:line:column.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSyntaxError, formatSyntaxError, syntaxErrorOf } from "../../../src/cli/syntax-location.js";

const dir = mkdtempSync(join(tmpdir(), "interlace-syntax-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("syntax errors", () => {
  it("are located with 1-based line and column, TypeScript by its extension", () => {
    expect(syntaxErrorOf("a.ts", "const x: number = 1;\nconst y = ;\n")).toMatchObject({ line: 2, column: 11, reason: "Unexpected token", text: "const y = ;" });
    expect(syntaxErrorOf("a.mjs", "const x: number = 1;\n")).toMatchObject({ line: 1, column: 8 });
    expect(syntaxErrorOf("a.ts", "export const x: number = 1;\n")).toBeNull();
    // CommonJS: top-level return is fine.
    expect(syntaxErrorOf("a.cjs", "module.exports = 1;\nreturn;\n")).toBeNull();
  });

  it("are found in the relative imports of a module (ESM .js → .ts, require, new URL), not in node_modules", () => {
    writeFileSync(join(dir, "entry.mjs"), 'import { a } from "./a.js";\nconst w = new URL("./w.mjs", import.meta.url);\nimport x from "lib";\n');
    writeFileSync(join(dir, "a.ts"), 'export const a = require("./b.cjs");\n');
    writeFileSync(join(dir, "b.cjs"), "module.exports = 1;\n");
    writeFileSync(join(dir, "w.mjs"), "export function f() {\n  if (true {\n}\n");
    const found = findSyntaxError(join(dir, "entry.mjs"));
    expect(found).toMatchObject({ file: join(dir, "w.mjs"), line: 2, column: 12 });
    expect(formatSyntaxError(found!)).toBe(`${join(dir, "w.mjs")}:2:12: SyntaxError: Unexpected token, expected ")"\n  2 |   if (true {\n    |            ^`);
    expect(findSyntaxError(join(dir, "b.cjs"))).toBeNull();
  });
});
