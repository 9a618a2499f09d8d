import net from 'node:net';

/**
 * Test services listen below Linux's ephemeral range (32768–60999). A service stopped and started
 * again on its port (the outage tests) would otherwise find it taken by some test's outgoing
 * connection, to which the kernel hands out ephemeral ports: influxd once failed to restart so.
 */
const SERVICE_PORTS = { low: 20_000, high: 32_000 };

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on loopback for a test service (checked free now; good enough for tests). */
export async function freePort(): Promise<number> {
  const span = SERVICE_PORTS.high - SERVICE_PORTS.low;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = SERVICE_PORTS.low + Math.floor(Math.random() * span);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${SERVICE_PORTS.low} and ${SERVICE_PORTS.high} on 127.0.0.1`);
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
