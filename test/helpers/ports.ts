// A free TCP port on 127.0.0.1, for the private servers the tests start (PostgreSQL, Redis).
import { createServer, type AddressInfo } from "node:net";

/** Asks the kernel for a free port on 127.0.0.1 and releases it at once. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
