import { describe, expect, it } from "vitest";
import { effectsConflict, resourceConflict, type ResourceAccess } from "../../../src/io/resource.js";
import { classifyConnect } from "../../../src/io/net.js";

const table = "sql:db/accounts";
const row = (id: number, op: "read" | "write"): ResourceAccess => ({ op, location: `${table}(id=${id})`, within: table, label: `SQL row accounts(id=${id})` });
const tbl = (op: "read" | "write"): ResourceAccess => ({ op, location: table, label: "SQL table accounts" });

describe("resourceConflict: the conflict rule the engine is expected to implement", () => {
  it("same location: conflict when either writes", () => {
    expect(resourceConflict(row(1, "read"), row(1, "write"))).toBe(true);
    expect(resourceConflict(row(1, "write"), row(1, "write"))).toBe(true);
    expect(resourceConflict(row(1, "read"), row(1, "read"))).toBe(false);
  });
  it("different rows of one table do not conflict, even when both write", () => {
    expect(resourceConflict(row(1, "write"), row(2, "write"))).toBe(false);
  });
  it("a table access conflicts with every row of it (container = within) when one writes", () => {
    expect(resourceConflict(tbl("read"), row(7, "write"))).toBe(true);
    expect(resourceConflict(row(7, "read"), tbl("write"))).toBe(true);
    expect(resourceConflict(tbl("read"), row(7, "read"))).toBe(false);
  });
  it("rows of different tables and unrelated locations do not conflict", () => {
    const other: ResourceAccess = { op: "write", location: "sql:db/users(id=1)", within: "sql:db/users", label: "" };
    expect(resourceConflict(row(1, "write"), other)).toBe(false);
    expect(resourceConflict(tbl("write"), other)).toBe(false);
  });
  it("containment is one level: a key's database, not the server", () => {
    const key: ResourceAccess = { op: "read", location: "redis:s/0:k", within: "redis:s/0", label: "" };
    expect(resourceConflict(key, { op: "write", location: "redis:s/0", label: "" })).toBe(true);
    expect(resourceConflict(key, { op: "write", location: "redis:s/1", label: "" })).toBe(false);
  });
  it("WORLD overlaps everything", () => {
    expect(resourceConflict(row(1, "read"), { op: "write", location: "*", label: "" })).toBe(true);
  });
  it("effectsConflict: an unmodelled effect conflicts with everything", () => {
    const a = { accesses: [row(1, "write")], modelled: true, text: "" };
    const b = { accesses: [row(2, "write")], modelled: true, text: "" };
    expect(effectsConflict(a, b)).toBe(false);
    expect(effectsConflict(a, { accesses: [], modelled: false, text: "" })).toBe(true);
  });
});

describe("classifyConnect", () => {
  it("is a write of net:<host>:<port>", () => {
    expect(classifyConnect({ host: "127.0.0.1", port: 5432 })).toEqual({
      accesses: [{ op: "write", location: "net:127.0.0.1:5432", label: "endpoint 127.0.0.1:5432" }],
      modelled: true,
      text: "connect 127.0.0.1:5432",
    });
  });
  it("normalises host case, brackets IPv6, defaults to localhost, accepts string ports", () => {
    expect(classifyConnect({ host: "DB.Example", port: "80" }).accesses[0]!.location).toBe("net:db.example:80");
    expect(classifyConnect({ host: "::1", port: 6379 }).accesses[0]!.location).toBe("net:[::1]:6379");
    expect(classifyConnect({ port: 3000 }).accesses[0]!.location).toBe("net:localhost:3000");
  });
  it("a Unix socket path", () => {
    expect(classifyConnect({ path: "/tmp/s.sock" }).accesses[0]!.location).toBe("net:unix:/tmp/s.sock");
  });
  it("no usable port: unmodelled", () => {
    expect(classifyConnect({ host: "x" }).modelled).toBe(false);
    expect(classifyConnect({ host: "x", port: 70000 }).modelled).toBe(false);
  });
});
