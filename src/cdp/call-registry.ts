/**
 * Pending CDP calls keyed by id. The error object of each call is created when the call is sent,
 * so a failure's stack points at the caller, not at the message loop.
 */
import { InspectorError } from "../errors.js";

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  error: InspectorError;
}

/** Owns every in-flight call; rejects them all when the channel closes. */
export class CallRegistry {
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;

  /** An id for a command whose reply nobody awaits (its reply is then ignored by {@link settle}). */
  unregisteredId(): number {
    return this.#nextId++;
  }

  /** Registers a call; returns its id and the promise of its result. */
  create(method: string, label: string): { id: number; promise: Promise<unknown> } {
    const id = this.#nextId++;
    const error = new InspectorError(`${label}: ${method} failed`);
    const promise = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject, error });
    });
    return { id, promise };
  }

  /** Settles the call with this id; returns false if no such call is pending. */
  settle(id: number, result: unknown, failure: { message: string; data?: string } | undefined): boolean {
    const call = this.#pending.get(id);
    if (!call) return false;
    this.#pending.delete(id);
    if (failure) {
      call.error.message = `${call.error.message}: ${failure.message}${failure.data ? ` (${failure.data})` : ""}`;
      call.reject(call.error);
    } else {
      call.resolve(result);
    }
    return true;
  }

  /** Rejects every pending call, e.g. because the channel closed. */
  rejectAll(reason: string): void {
    for (const call of this.#pending.values()) {
      call.error.message = `${call.error.message}: ${reason}`;
      call.reject(call.error);
    }
    this.#pending.clear();
  }

  get size(): number {
    return this.#pending.size;
  }
}
