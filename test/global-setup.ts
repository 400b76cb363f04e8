/**
 * Runs once before the suite: builds dist/ (the CLI tests run bin/interlace.js as users do) and
 * compiles the tsc fixtures (TypeScript compiled by tsc with .map files beside the output).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function node(args: string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

export default function setup(): void {
  node(["scripts/build.mjs"]);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  node([tsc, "-p", "fixtures/counter/tsconfig.esm.json"]);
  node([tsc, "-p", "fixtures/counter/tsconfig.cjs.json"]);
  writeFileSync(new URL("../fixtures/counter/tsc-out/cjs/package.json", import.meta.url), '{ "type": "commonjs" }\n');
}
