/**
 * A worker or process thread made ready to launch: its spec checked against the state it will
 * receive (which must be able to travel to its isolate), for the schedule runner and the
 * exploration alike.
 *
 * @module
 */
import type { PreparedThread } from "../controller/schedule-controller.js";
import { checkTransferable } from "../controller/transfer-check.js";
import type { IsolateThreadSpec } from "../scenario.js";

const TS_EXTENSION = /\.[cm]?tsx?$/;

/** A worker/process thread ready to launch with `state`; throws if the state or args cannot reach it. */
export function prepare(name: string, spec: IsolateThreadSpec, state: unknown): PreparedThread {
  checkTransferable(name, spec.kind, state);
  checkTransferable(name, spec.kind, spec.args, "args");
  const launch = {
    thread: name,
    moduleUrl: spec.module,
    exportName: spec.exportName,
    args: [...spec.args],
    useTsx: TS_EXTENSION.test(new URL(spec.module).pathname),
  };
  return spec.processOptions ? { kind: spec.kind, launch, processOptions: spec.processOptions } : { kind: spec.kind, launch };
}
