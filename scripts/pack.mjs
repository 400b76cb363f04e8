// Makes the package tarball users install: `npm run pack [-- <destination folder>]`.
// The repository's package.json builds dist/ in `prepare` and carries the scripts and dev
// dependencies of this repository; installed from a tarball, a `prepare` script makes npm warn
// ("install scripts not yet covered by allowScripts") although there is nothing to build. So the
// tarball is packed from a staging folder with a manifest stripped of them, and it ships src/ too,
// so that dist/'s source maps point at files that exist (stack traces and vitest read them).
// Publish the tarball it prints: `npm publish <tarball>`.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const destination = resolve(process.argv[2] ?? root);
mkdirSync(destination, { recursive: true });
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const { scripts: _scripts, devDependencies: _dev, allowScripts: _allow, ...published } = manifest;
published.files = [...new Set([...(manifest.files ?? []), "src"])];

const stage = mkdtempSync(join(tmpdir(), "interlace-pack-"));
try {
  for (const entry of published.files) cpSync(join(root, entry), join(stage, entry), { recursive: true, filter: (path) => !/\.(new|old)-\d+$/.test(path) });
  if (!published.files.includes("README.md")) cpSync(join(root, "README.md"), join(stage, "README.md"));
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  const packed = spawnSync("npm", ["pack", "--silent", "--pack-destination", destination], { cwd: stage, encoding: "utf8" });
  if (packed.status !== 0) {
    process.stderr.write(packed.stderr);
    process.exit(packed.status ?? 1);
  }
  process.stdout.write(`${join(destination, packed.stdout.trim().split("\n").at(-1))}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
