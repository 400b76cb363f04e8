/**
 * How many wrapped io calls are in progress in this isolate (the io hooks, `patch.ts`): what a
 * wrapped call calls of other wrapped functions — Node's `fs` calling itself, a driver's method
 * calling its own sending method — records nothing more. One counter shared by the hooks' files.
 */
export const calls = { depth: 0 };

/** Runs `fn` as part of a wrapped call: nothing it calls records (or stops at a gate). */
export function quietly<T>(fn: () => T): T {
  calls.depth += 1;
  try {
    return fn();
  } finally {
    calls.depth -= 1;
  }
}

/** Runs `fn` as the thread's own code again (the body of a transaction function): what it calls records. */
export function audibly<T>(fn: () => T): T {
  const outer = calls.depth;
  calls.depth = 0;
  try {
    return fn();
  } finally {
    calls.depth = outer;
  }
}

/**
 * Endpoints (`net:<host>:<port>`) a modelled client announced a session to, not yet connected,
 * with the client's package: ioredis and node-redis open their socket a tick after `connect()`,
 * outside the wrapped call. The next socket connect to such an endpoint *made from that package's
 * code* is that session's (a read, `classifySession`), not an unknown connection (a write): a
 * socket the thread's own code opens to the same server in between stays an unmodelled write.
 */
const sessions = new Map<string, string[]>();

export function announceSession(location: string, pkg: string): void {
  const pending = sessions.get(location);
  if (pending === undefined) sessions.set(location, [pkg]);
  else pending.push(pkg);
}

/** Whether a socket connect to `location`, made now, is an announced session's (consumes the announcement). */
export function takeSession(location: string): boolean {
  const pending = sessions.get(location);
  if (pending === undefined) return false;
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  Error.captureStackTrace(holder, takeSession);
  Error.stackTraceLimit = limit;
  const stack = (holder.stack ?? "").replace(/\\/g, "/");
  const i = pending.findIndex((pkg) => stack.includes(`/node_modules/${pkg}/`));
  if (i < 0) return false;
  pending.splice(i, 1);
  if (pending.length === 0) sessions.delete(location);
  return true;
}

/** A new run: no announcement carries over. */
export function resetSessions(): void {
  sessions.clear();
}
