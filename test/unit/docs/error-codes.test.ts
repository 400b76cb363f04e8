// Every error code interlace can raise is in README.md's table: a user who meets one can look it up.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

it("every E_ code raised under src/ has a row in README.md's error table", () => {
  const codes = new Set<string>();
  for (const file of sources(join(root, "src"))) for (const match of readFileSync(file, "utf8").matchAll(/"(E_[A-Z_]+)"/g)) codes.add(match[1]!);
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const rows = new Set([...readme.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
  expect(codes.size).toBeGreaterThan(20);
  expect([...codes].filter((code) => !rows.has(code)).sort()).toEqual([]);
});
