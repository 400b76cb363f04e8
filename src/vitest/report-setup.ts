/**
 * Loaded first in every vitest worker when the plugin's `report` option is on (the plugin adds it
 * to `setupFiles`): each test gets a report slot; an exploration that finds a counterexample
 * leaves its HTML page there, and the pages are written, one per report, when the test fails.
 *
 * @module
 */
import { beforeEach } from "vitest";
import { beginTestReports, endTestReports, writeTestReports } from "../report/html/vitest-slot.js";

/** The environment variable the plugin passes the report folder in. */
const DIR = process.env.INTERLACE_REPORT_DIR;

if (DIR !== undefined && DIR !== "") {
  beforeEach((context) => {
    beginTestReports(DIR, context.task.fullName);
    // Runs after the test and its hooks, once its state is known (before `onTestFailed` handlers).
    context.onTestFinished(() => {
      try {
        if (context.task.result?.state !== "fail") return;
        for (const file of writeTestReports()) process.stderr.write(`interlace: wrote the report of "${context.task.name}" to ${file}\n`);
      } finally {
        endTestReports();
      }
    });
  });
}
