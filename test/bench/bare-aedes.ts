/**
 * Baseline for the ingest benchmark: a bare aedes broker on TCP with an in-process no-op
 * subscriber on the same filters the gateway uses — routing cost without decoding or storing.
 * Prints `READY <port>` when listening.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { DEVICE_TOPIC_FILTERS } from '../../gateway/src/contracts/topics.ts';

const broker = await Aedes.createBroker();
for (const filter of DEVICE_TOPIC_FILTERS)
  await new Promise<void>((r) => broker.subscribe(filter, (_p, cb) => cb(), r));
const server = net.createServer((socket) => broker.handle(socket));
server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as net.AddressInfo).port}`));
process.on('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));
