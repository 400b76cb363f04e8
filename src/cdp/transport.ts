/**
 * A bidirectional channel carrying JSON-encoded CDP messages to and from one isolate's inspector.
 * Four members, as in puppeteer's ConnectionTransport: the session layer needs nothing more.
 */
export interface Transport {
  /** Sends one JSON-encoded CDP command. Must not throw once closed; drop the message instead. */
  send(message: string): void;
  /** Called with each JSON-encoded response or event. */
  onmessage?: ((message: string) => void) | undefined;
  /** Called once when the channel closes, with the reason if it was not a normal close. */
  onclose?: ((reason?: Error) => void) | undefined;
  /** Closes the channel; `onclose` fires once. Idempotent. */
  close(): void;
}
