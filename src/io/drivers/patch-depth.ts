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
 * Endpoints (`net:<host>:<port>`) a modelled client announced a session to, not yet connected:
 * ioredis opens its socket a tick after `connect()`, outside the wrapped call. The next socket
 * connect to such an endpoint is that session's (a read, `classifySession`), not an unknown
 * connection (a write).
 */
const sessions = new Map<string, number>();

export function announceSession(location: string): void {
  sessions.set(location, (sessions.get(location) ?? 0) + 1);
}

/** Whether a socket connect to `location` is an announced session's (consumes the announcement). */
export function takeSession(location: string): boolean {
  const n = sessions.get(location) ?? 0;
  if (n === 0) return false;
  if (n === 1) sessions.delete(location);
  else sessions.set(location, n - 1);
  return true;
}

/** A new run: no announcement carries over. */
export function resetSessions(): void {
  sessions.clear();
}
