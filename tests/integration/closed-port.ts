// A loopback port that nothing listens on, for tests of a host that cannot be reached (no traffic leaves loopback).

import net from 'node:net';

/** A port of 127.0.0.1 just released: connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
