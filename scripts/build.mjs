// Builds dist/ from src/ with the TypeScript compiler (runtime .mjs files are emitted as they are).
// The new tree is compiled beside the old one and swapped in by two renames, so that a test run
// already using dist/ (another vitest process, a helper's run) never sees it half written or gone.
import { existsSync, renameSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const dist = fileURLToPath(new URL("dist", root));
const fresh = `${dist}.new-${process.pid}`;
const stale = `${dist}.old-${process.pid}`;
rmSync(fresh, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--outDir", fresh], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  rmSync(fresh, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
if (existsSync(dist)) renameSync(dist, stale);
renameSync(fresh, dist);
rmSync(stale, { recursive: true, force: true });
