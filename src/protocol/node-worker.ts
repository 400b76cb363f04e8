/**
 * Node's `NodeWorker` inspector domain (see node/src/inspector/node_protocol.pdl), which lets a
 * session on the main thread reach the inspectors of worker_threads. Not part of devtools-protocol.
 */

/** Description of a worker as reported by `NodeWorker.attachedToWorker`. */
export interface WorkerInfo {
  workerId: string;
  type: string;
  /** `"[worker N] <name>"` where `<name>` is the `name` option given to `new Worker`. */
  title: string;
  url: string;
}

export interface AttachedToWorkerEvent {
  sessionId: string;
  workerInfo: WorkerInfo;
  waitingForDebugger: boolean;
}

export interface DetachedFromWorkerEvent {
  sessionId: string;
}

export interface ReceivedMessageFromWorkerEvent {
  sessionId: string;
  /** A JSON-encoded CDP message from the worker's inspector. */
  message: string;
}

export interface NodeWorkerCommands {
  "NodeWorker.enable": { paramsType: [{ waitForDebuggerOnStart: boolean }]; returnType: Record<string, never> };
  "NodeWorker.disable": { paramsType: []; returnType: Record<string, never> };
  "NodeWorker.sendMessageToWorker": {
    paramsType: [{ message: string; sessionId: string }];
    returnType: Record<string, never>;
  };
  "NodeWorker.detach": { paramsType: [{ sessionId: string }]; returnType: Record<string, never> };
}

export interface NodeWorkerEvents {
  "NodeWorker.attachedToWorker": [AttachedToWorkerEvent];
  "NodeWorker.detachedFromWorker": [DetachedFromWorkerEvent];
  "NodeWorker.receivedMessageFromWorker": [ReceivedMessageFromWorkerEvent];
}
