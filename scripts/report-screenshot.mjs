// Makes docs/report.png, the screenshot README.md shows: explores the bank example with a fixed
// seed, writes its HTML report, opens it in headless Chromium (the test tooling's helper,
// test/report-html/chromium.ts), selects the lost write and captures the page.
//
//   node scripts/build.mjs && node --import tsx scripts/report-screenshot.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../test/report-html/chromium.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "docs", "report.png");
const tmp = mkdtempSync(join(tmpdir(), "interlace-screenshot-"));
try {
  const html = join(tmp, "race.html");
  // Relative paths, so the page shows the command a reader would type.
  const run = spawnSync(process.execPath, ["bin/interlace.js", "explore", "examples/bank/scenario.ts", "--seed", "1", "--report", html], { cwd: root, encoding: "utf8" });
  if (run.status !== 1) throw new Error(`explore exited ${run.status}:\n${run.stdout}${run.stderr}`);
  const browser = await launchChromium();
  try {
    const page = await browser.open(html);
    const to = await page.evaluate("document.querySelector('#timeline .arrow.write-write').dataset.to");
    await page.click(`#timeline .step[data-step="${to}"]`);
    // Collapse what a reader of the README does not need.
    await page.evaluate("document.querySelector('footer')?.remove()");
    await page.screenshot(out);
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
