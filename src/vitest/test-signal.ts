/**
 * Loaded in every vitest worker by the plugin (`setupFiles`): hands each test's `signal` (aborted by
 * vitest on the test's timeout or when the run is cancelled) to the explorations the test starts
 * without a signal of their own (`explore/test-signal.ts`).
 *
 * @module
 */
import { afterEach, beforeEach } from "vitest";
import { setTestSignal } from "../explore/test-signal.js";

beforeEach((context) => {
  setTestSignal(context.signal);
});

afterEach(() => {
  setTestSignal(undefined);
});
