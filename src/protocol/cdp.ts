/**
 * The typed Chrome DevTools Protocol surface interlace speaks, derived from `devtools-protocol`
 * plus Node's own `NodeWorker` domain (which devtools-protocol does not describe).
 * Wire contracts only: no logic lives here.
 */
import type { Protocol } from "devtools-protocol";
import type { ProtocolMapping } from "devtools-protocol/types/protocol-mapping.js";
import type { NodeWorkerCommands, NodeWorkerEvents } from "./node-worker.js";

export type { Protocol };

type Commands = ProtocolMapping.Commands & NodeWorkerCommands;
type Events = ProtocolMapping.Events & NodeWorkerEvents;

/** Every command name, e.g. `"Debugger.setBreakpoint"`. */
export type CommandName = keyof Commands;
/** Parameters of a command (`undefined` when it takes none). */
export type CommandParams<M extends CommandName> = Commands[M]["paramsType"][0];
/** Result of a command. */
export type CommandResult<M extends CommandName> = Commands[M]["returnType"];
/** Every event name, e.g. `"Debugger.paused"`. */
export type EventName = keyof Events;
/** Parameters carried by an event. */
export type EventParams<E extends EventName> = Events[E][0];

/** A command as it travels on the wire. */
export interface WireCommand {
  id: number;
  method: string;
  params?: unknown;
  /** Present when the message is routed to a child session (flattened protocol). */
  sessionId?: string;
}

/** A response or event as it travels on the wire. */
export interface WireMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: string };
  sessionId?: string;
}
