// A private copy of dist/ for the length of one benchmark run. dist/ is rebuilt by every
// `npm run build` and test run in this work tree (scripts/build.mjs deletes it first), which would
// break measurements running at the time; the copy also pins every measurement to the same build.
// It lives under node_modules/.cache so that dist's own imports (tsx, source-map, ...) still resolve.
import { cpSync, existsSync, rmdirSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const root = new URL("../../", import.meta.url);
const REQUIRED = ["index.js", "runtime/worker-entry.mjs", "runtime/process-entry.mjs", "runtime/process-agent.mjs"];

/** Copies dist/ (waiting out a concurrent rebuild); returns the copy's `file:` URL, ending in "/". */
export async function snapshotDist() {
  const dir = new URL(`node_modules/.cache/interlace-bench/${process.pid}/`, root);
  for (let attempt = 0; attempt < 20; attempt++) {
    rmSync(dir, { recursive: true, force: true });
    try {
      cpSync(new URL("dist/", root), new URL("dist/", dir), { recursive: true });
      if (REQUIRED.every((file) => existsSync(new URL(`dist/${file}`, dir)))) return new URL("dist/", dir).href;
    } catch {
      // dist/ was being rebuilt while we copied it.
    }
    await sleep(500);
  }
  throw new Error("dist/ is incomplete: run `node scripts/build.mjs`");
}

/** Removes the copy made by {@link snapshotDist}. */
export function removeSnapshot(distUrl) {
  rmSync(new URL("../", distUrl), { recursive: true, force: true });
  try {
    rmdirSync(new URL("../../", distUrl)); // the interlace-bench folder, once no other run uses it
  } catch {}
}
