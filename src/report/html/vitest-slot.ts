/**
 * Reports of failing vitest tests (the plugin's `report` option): the plugin's setup file opens a
 * slot for each test, an exploration that finds a counterexample in it leaves its page there, and
 * the pages are written only when the test fails — one file per report, named after the test.
 * The slot lives in the global symbol registry, so every copy of interlace in a worker shares it.
 */
import { join } from "node:path";
import { writeReport } from "./write.js";

const SLOT = Symbol.for("interlace.vitest.reports");

interface Slot {
  dir: string;
  /** `test/bank.test.ts > transfers > two deposits` */
  test: string;
  pages: string[];
}

type Holder = { [SLOT]?: Slot };

/** Opens the slot of the test starting (reports of earlier tests are dropped). */
export function beginTestReports(dir: string, test: string): void {
  (globalThis as Holder)[SLOT] = { dir, test, pages: [] };
}

/** Whether a vitest test with the plugin's `report` option is running. */
export function testReportsOpen(): boolean {
  return (globalThis as Holder)[SLOT] !== undefined;
}

/** Leaves a page for the running test, when a slot is open; returns whether one was. */
export function offerTestReport(page: () => string): boolean {
  const slot = (globalThis as Holder)[SLOT];
  if (slot === undefined) return false;
  slot.pages.push(page());
  return true;
}

/** The test failed: writes its pages; returns their paths. */
export function writeTestReports(): string[] {
  const slot = (globalThis as Holder)[SLOT];
  if (slot === undefined) return [];
  const base = slug(slot.test);
  const written = slot.pages.map((html, i) => {
    const file = join(slot.dir, `${base}${i === 0 ? "" : `-${i + 1}`}.html`);
    writeReport(file, html);
    return file;
  });
  slot.pages = [];
  return written;
}

/** Closes the slot (the test ended). */
export function endTestReports(): void {
  delete (globalThis as Holder)[SLOT];
}

/** A file name from a test's full name: letters, digits, `-` and `_` only, at most 120 characters. */
export function slug(name: string): string {
  const s = name
    .replace(/\.[cm]?[jt]sx?(?= >|$)/g, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120);
  return s === "" ? "test" : s;
}
