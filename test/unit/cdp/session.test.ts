import { describe, expect, it } from "vitest";
import { CdpSession } from "../../../src/cdp/session.js";
import type { Transport } from "../../../src/cdp/transport.js";
import { InspectorError } from "../../../src/errors.js";

/** An in-memory transport: records what is sent, lets the test answer. */
class FakeTransport implements Transport {
  onmessage?: ((message: string) => void) | undefined;
  onclose?: ((reason?: Error) => void) | undefined;
  readonly sent: { id: number; method: string; params?: unknown }[] = [];
  closed = 0;
  send(message: string): void {
    this.sent.push(JSON.parse(message) as { id: number; method: string; params?: unknown });
  }
  close(): void {
    this.closed += 1;
  }
  deliver(message: object): void {
    this.onmessage?.(JSON.stringify(message));
  }
}

describe("CdpSession", () => {
  it("matches responses to calls by id, whatever their order", async () => {
    const transport = new FakeTransport();
    const session = new CdpSession(transport, "t1");
    const first = session.send("Debugger.setBreakpoint", { location: { scriptId: "7", lineNumber: 3 } });
    const second = session.send("Debugger.resume");
    expect(transport.sent).toEqual([
      { id: 1, method: "Debugger.setBreakpoint", params: { location: { scriptId: "7", lineNumber: 3 } } },
      { id: 2, method: "Debugger.resume" },
    ]);
    transport.deliver({ id: 2, result: {} });
    transport.deliver({ id: 1, result: { breakpointId: "bp", actualLocation: { scriptId: "7", lineNumber: 3, columnNumber: 4 } } });
    await expect(second).resolves.toEqual({});
    await expect(first).resolves.toMatchObject({ breakpointId: "bp" });
  });

  it("rejects a failed call with an InspectorError whose stack points at the caller", async () => {
    const transport = new FakeTransport();
    const session = new CdpSession(transport, 'thread "t1"');
    const call = session.send("Debugger.resume");
    transport.deliver({ id: 1, error: { code: -32000, message: "Can only perform operation while paused." } });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InspectorError);
    expect((error as InspectorError).message).toBe('thread "t1": Debugger.resume failed: Can only perform operation while paused.');
    expect((error as InspectorError).stack).toContain("session.test.ts");
  });

  it("delivers typed events to every subscriber until they unsubscribe", () => {
    const transport = new FakeTransport();
    const session = new CdpSession(transport, "t1");
    const seen: string[] = [];
    const off = session.on("Debugger.scriptParsed", (p) => seen.push(`a:${p.url}`));
    session.on("Debugger.scriptParsed", (p) => seen.push(`b:${p.url}`));
    transport.deliver({ method: "Debugger.scriptParsed", params: { url: "file:///x.js" } });
    off();
    transport.deliver({ method: "Debugger.scriptParsed", params: { url: "file:///y.js" } });
    transport.deliver({ method: "Debugger.paused", params: {} });
    expect(seen).toEqual(["a:file:///x.js", "b:file:///x.js", "b:file:///y.js"]);
  });

  it("rejects every pending call when the transport closes, and refuses new ones", async () => {
    const transport = new FakeTransport();
    const session = new CdpSession(transport, "t1");
    const closes: (Error | undefined)[] = [];
    session.onClose((reason) => closes.push(reason));
    const pending = [session.send("Debugger.enable", {}), session.send("Debugger.pause")];
    transport.onclose?.(new Error("worker exited"));
    for (const call of pending) await expect(call).rejects.toThrow(/inspector session closed \(worker exited\)/);
    await expect(session.send("Debugger.resume")).rejects.toThrow(/sent after the inspector session closed/);
    expect(session.closed).toBe(true);
    expect(closes).toHaveLength(1);
  });

  it("closes its transport once when closed twice", () => {
    const transport = new FakeTransport();
    const session = new CdpSession(transport, "t1");
    session.close();
    session.close();
    expect(transport.closed).toBe(2);
    expect(session.closed).toBe(true);
  });
});
