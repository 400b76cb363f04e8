import { describe, expect, test } from "vitest";
import { scanMarkers, type MarkerSite } from "../../../src/markers/scan.js";

/** 1-based line and 0-based UTF-16 column of the first occurrence of `needle`, computed independently. */
function at(source: string, needle: string): { line: number; column: number } {
  const index = source.indexOf(needle);
  if (index < 0) throw new Error(`fixture does not contain ${needle}`);
  const before = source.slice(0, index);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines.at(-1)?.length ?? 0 };
}

function names(markers: readonly MarkerSite[]): string[] {
  return markers.map((m) => m.name);
}

describe("scanMarkers: gating", () => {
  test("an inline // marker gates the first code token of its own line", () => {
    // Arrange
    const source = "function f(acct) {\n  const before = acct.balance; // interlace: read_balance\n  return before;\n}\n";
    // Act
    const { markers, diagnostics } = scanMarkers(source, "bank.js");
    // Assert
    expect(diagnostics).toEqual([]);
    expect(markers).toEqual([
      {
        name: "read_balance",
        ...at(source, "const before"),
        commentLine: 2,
        inline: true,
        text: "const before = acct.balance; // interlace: read_balance",
      },
    ]);
  });

  test("an inline /* */ marker between two statements gates the first statement of the line", () => {
    const source = "let a = 0;\n    a++; /* interlace: bump */ a++;\n";
    const { markers, diagnostics } = scanMarkers(source, "inc.js");
    expect(diagnostics).toEqual([]);
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ name: "bump", line: 2, column: 4, commentLine: 2, inline: true });
  });

  test("a /* */ marker that starts its line gates the code after it on the same line", () => {
    const source = "const x = 1;\n  /* interlace: write */ store(x);\n";
    const { markers } = scanMarkers(source, "w.js");
    expect(markers).toEqual([
      { name: "write", ...at(source, "store(x)"), commentLine: 2, inline: false, text: "/* interlace: write */ store(x);" },
    ]);
  });

  test("an own-line marker gates the next statement across blank lines and other comments", () => {
    // Arrange
    const source = [
      "async function transfer(acct, amount) {",
      "  // interlace: read_balance",
      "",
      "  // a plain comment",
      "  /* a block",
      "     comment */",
      "",
      "  const before = acct.balance;",
      "  acct.balance = before + amount;",
      "}",
    ].join("\n");
    // Act
    const { markers, diagnostics } = scanMarkers(source, "bank.js");
    // Assert
    expect(diagnostics).toEqual([]);
    expect(markers).toEqual([
      { name: "read_balance", line: 8, column: 2, commentLine: 2, inline: false, text: "const before = acct.balance;" },
    ]);
  });

  test("two markers gating the same statement are both kept, in source order", () => {
    const source = "// interlace: first\n// interlace: second\nwork(); // interlace: third\n";
    const { markers } = scanMarkers(source, "two.js");
    expect(names(markers)).toEqual(["first", "second", "third"]);
    expect(markers.map((m) => [m.line, m.column])).toEqual([
      [3, 0],
      [3, 0],
      [3, 0],
    ]);
    expect(markers.map((m) => m.inline)).toEqual([false, false, true]);
  });

  test("a marker after a multi-line block comment that ends on its line is not inline", () => {
    const source = "/* starts here\n   ends here */ // interlace: after_block\nnext();\n";
    const { markers } = scanMarkers(source, "b.js");
    expect(markers).toEqual([
      { name: "after_block", line: 3, column: 0, commentLine: 2, inline: false, text: "next();" },
    ]);
  });

  test("markers inside loops and async functions gate the statements of their bodies", () => {
    const source = [
      "export async function run(items) {",
      "  for (const item of items) {",
      "    // interlace: loop_top",
      "    await item.load();",
      "    while (item.busy) {",
      "      item.tick(); // interlace: spin",
      "    }",
      "  }",
      "  const go = async () => {",
      "    // interlace: in_arrow",
      "    await Promise.resolve();",
      "  };",
      "  return go();",
      "}",
    ].join("\n");
    const { markers, diagnostics } = scanMarkers(source, "loop.mjs");
    expect(diagnostics).toEqual([]);
    expect(markers.map((m) => [m.name, m.line, m.column, m.text])).toEqual([
      ["loop_top", 4, 4, "await item.load();"],
      ["spin", 6, 6, "item.tick(); // interlace: spin"],
      ["in_arrow", 11, 4, "await Promise.resolve();"],
    ]);
  });

  test("a hashbang line is not taken for code", () => {
    const source = "#!/usr/bin/env node\n// interlace: start\nmain();\n";
    const { markers, diagnostics } = scanMarkers(source, "cli.js");
    expect(diagnostics).toEqual([]);
    expect(markers).toEqual([{ name: "start", line: 3, column: 0, commentLine: 2, inline: false, text: "main();" }]);
  });
});

describe("scanMarkers: comment-like text that is not a comment", () => {
  test("strings, template literals (with ${} strings) and regexes never hold markers", () => {
    // Arrange
    const source = [
      "const a = '// interlace: in_single';",
      'const b = "/* interlace: in_double */";',
      "const c = `// interlace: in_template ${'// interlace: in_substitution'} ${`/* interlace: nested */`}`;",
      "const d = `line one",
      "// interlace: in_multiline_template",
      "`;",
      "const e = /\\/\\/ interlace: in_regex/;",
      "const f = /\\/\\* interlace: in_regex_block \\*\\//g;",
      "const g = a + b; // interlace: real",
    ].join("\n");
    // Act
    const { markers, diagnostics } = scanMarkers(source, "strings.js");
    // Assert
    expect(diagnostics).toEqual([]);
    expect(markers).toEqual([
      { name: "real", line: 9, column: 0, commentLine: 9, inline: true, text: "const g = a + b; // interlace: real" },
    ]);
  });
});

describe("scanMarkers: languages and module kinds", () => {
  test("TypeScript syntax (types, generics, as, enums, classes) parses and markers are found", () => {
    const source = [
      "interface Account { balance: number }",
      "type Id<T> = T & { id: string };",
      "enum Kind { A, B }",
      "export class Bank<T extends Account> {",
      "  #accounts = new Map<string, T>();",
      "  constructor(private readonly name: string) {}",
      "  deposit(id: string, amount: number): void {",
      "    const acct = this.#accounts.get(id) as T;",
      "    // interlace: deposit_write",
      "    acct.balance += amount satisfies number;",
      "  }",
      "}",
      "export const k: Kind = Kind.A; // interlace: enum_use",
    ].join("\n");
    const { markers, diagnostics } = scanMarkers(source, "bank.ts");
    expect(diagnostics).toEqual([]);
    expect(markers.map((m) => [m.name, m.line, m.column])).toEqual([
      ["deposit_write", 10, 4],
      ["enum_use", 13, 0],
    ]);
  });

  test("TSX parses with the language taken from the extension", () => {
    const source = "export function View(p: { n: number }) {\n  // interlace: render\n  return <div>{p.n}</div>;\n}\n";
    const { markers, diagnostics } = scanMarkers(source, "view.tsx");
    expect(diagnostics).toEqual([]);
    expect(markers).toMatchObject([{ name: "render", line: 3, column: 2 }]);
  });

  test.each(["worker.cjs", "worker.js", "worker.cts"])("CommonJS with require, module.exports and top-level return parses (%s)", (filename) => {
    const source = [
      "const fs = require('node:fs');",
      "if (!fs) return;",
      "module.exports = function bump(path) {",
      "  // interlace: read_file",
      "  const n = Number(fs.readFileSync(path, 'utf8'));",
      "  fs.writeFileSync(path, String(n + 1)); // interlace: write_file",
      "};",
    ].join("\n");
    const { markers, diagnostics } = scanMarkers(source, filename);
    expect(diagnostics).toEqual([]);
    expect(markers.map((m) => [m.name, m.line, m.column])).toEqual([
      ["read_file", 5, 2],
      ["write_file", 6, 2],
    ]);
  });

  test("ESM with top-level await and require() in a .js file parses", () => {
    const source = "import { x } from './x.js';\nconst r = require;\n// interlace: tla\nawait x(r);\n";
    const { markers, diagnostics } = scanMarkers(source, "mod.js");
    expect(diagnostics).toEqual([]);
    expect(markers).toMatchObject([{ name: "tla", line: 4, column: 0 }]);
  });
});

describe("scanMarkers: diagnostics", () => {
  test.each([
    ["// interlace:", "interlace:"],
    ["// interlace: two words", "interlace: two words"],
    ["// interlace: bad!char", "interlace: bad!char"],
    ["/* interlace: 9lives */", "interlace: 9lives"],
  ])("a malformed marker %s gives a diagnostic and no marker", (comment, value) => {
    const source = `const a = 1;\n  ${comment}\nwork();\n`;
    const { markers, diagnostics } = scanMarkers(source, "bad.js");
    expect(markers).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, column: 2 });
    expect(diagnostics[0]?.message).toContain(`"${value}"`);
    expect(diagnostics[0]?.message).toContain('expected "// interlace: <name>"');
  });

  test("names with dots, dashes, digits and $ are accepted; comments merely mentioning interlace are ignored", () => {
    const source = "// interlace:a.b-c_1$\nx();\n// see interlace: docs\n// interlacing\ny();\n";
    const { markers, diagnostics } = scanMarkers(source, "ok.js");
    expect(diagnostics).toEqual([]);
    expect(names(markers)).toEqual(["a.b-c_1$"]);
  });

  test("a marker with no code after it gives a diagnostic and no marker", () => {
    const source = "work();\n// interlace: tail\n/* trailing comment */\n\n";
    const { markers, diagnostics } = scanMarkers(source, "tail.js");
    expect(markers).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, column: 0 });
    expect(diagnostics[0]?.message).toMatch(/marker "tail" gates no code/);
  });

  test("a parse error is reported; comments the parser recovers still yield markers", () => {
    // `import` makes this a module, where top-level `return` is an error in every mode.
    const source = "import x from 'x';\nreturn;\n// interlace: after_error\nx();\n";
    const { markers, diagnostics } = scanMarkers(source, "broken.js");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toMatch(/^parse error: /);
    expect(markers).toMatchObject([{ name: "after_error", line: 4, column: 0 }]);
  });

  test("an unrecoverable parse error is reported with its position", () => {
    const source = "const ok = 1;\nconst = ;\n// interlace: lost\nx();\n";
    const { diagnostics } = scanMarkers(source, "fatal.ts");
    expect(diagnostics[0]).toMatchObject({ line: 2 });
    expect(diagnostics[0]?.message).toMatch(/^parse error: /);
  });
});

describe("scanMarkers: line endings and columns", () => {
  test("CRLF line endings give the same positions as LF, and text without \\r", () => {
    const lf = "function f() {\n  // interlace: a\n  one();\n  two(); // interlace: b\n}\n";
    const crlf = lf.replace(/\n/g, "\r\n");
    const fromLf = scanMarkers(lf, "f.js");
    const fromCrlf = scanMarkers(crlf, "f.js");
    expect(fromCrlf.diagnostics).toEqual([]);
    expect(fromCrlf.markers).toEqual(fromLf.markers);
    expect(fromCrlf.markers.map((m) => [m.line, m.column, m.text])).toEqual([
      [3, 2, "one();"],
      [4, 2, "two(); // interlace: b"],
    ]);
  });

  test("lone CR and U+2028 count as line terminators, as in V8", () => {
    const source = "a();\r// interlace: x\u2028b();\n";
    const { markers } = scanMarkers(source, "cr.js");
    expect(markers).toMatchObject([{ name: "x", line: 3, column: 0, commentLine: 2, text: "b();" }]);
  });

  test("columns count UTF-16 code units after non-ASCII text (é, emoji) on the same line and before", () => {
    // Arrange: astral characters take two UTF-16 units and four UTF-8 bytes.
    const source = [
      "const greeting = 'héllo 😀😀'; // interlace: greet",
      "/* ü😀 */ const x = greeting; // interlace: after_emoji",
      "// interlace: own_line",
      "  /* 日本 */ use(x);",
    ].join("\n");
    // Act
    const { markers, diagnostics } = scanMarkers(source, "utf.js");
    // Assert
    expect(diagnostics).toEqual([]);
    expect(markers).toEqual([
      { name: "greet", line: 1, column: 0, commentLine: 1, inline: true, text: source.split("\n")[0] },
      { name: "after_emoji", ...at(source, "const x"), commentLine: 2, inline: true, text: source.split("\n")[1] },
      { name: "own_line", ...at(source, "use(x)"), commentLine: 3, inline: false, text: "/* 日本 */ use(x);" },
    ]);
    expect(markers[1]?.column).toBe(10);
  });
});
