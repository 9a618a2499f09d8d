/**
 * scrypt on dedicated worker threads at the lowest CPU priority (nice 19), for the login path:
 * password checks then take only CPU that ingest does not want. On the shared libuv pool
 * (`crypto.scrypt`) a login storm took a core at normal priority, and on a busy 2-core gateway
 * other devices' PUBACKs waited for it (issue 14). Inside a worker, `scryptSync` blocks only that
 * worker's thread, never the event loop.
 */
import { Worker } from 'node:worker_threads';

/** Plain JS (eval'd), so that the worker needs no TypeScript loader. On Linux `setpriority` with a
 *  thread id renices that thread alone; elsewhere the worker runs at normal priority. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, 19);
} catch {}
parentPort.on('message', ({ password, salt, keyLen, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, Buffer.from(salt, 'base64'), keyLen, options) });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
});
`;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class ScryptWorkers {
  private readonly slots: Slot[] = [];

  /** At most `size` threads, started on first use; callers keep at most `size` jobs in flight. */
  constructor(private readonly size: number) {}

  derive(password: string, salt: Buffer, keyLen: number, options: ScryptParams): Promise<Buffer> {
    const slot = this.freeSlot();
    slot.busy = true;
    return new Promise<Buffer>((resolve, reject) => {
      const onMessage = (msg: { key?: Uint8Array; error?: string }): void => {
        slot.worker.off('error', onError);
        slot.busy = false;
        if (msg.key) resolve(Buffer.from(msg.key));
        else reject(new Error(msg.error ?? 'scrypt failed'));
      };
      const onError = (err: Error): void => {
        slot.worker.off('message', onMessage);
        this.slots.splice(this.slots.indexOf(slot), 1); // a dead worker is replaced on next use
        reject(err);
      };
      slot.worker.once('message', onMessage);
      slot.worker.once('error', onError);
      slot.worker.postMessage({ password, salt: salt.toString('base64'), keyLen, options });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private freeSlot(): Slot {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) return idle;
    if (this.slots.length >= this.size) throw new Error('ScryptWorkers: more jobs than threads');
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref(); // an idle checker must not keep the process alive
    const slot = { worker, busy: false };
    this.slots.push(slot);
    return slot;
  }
}
