/** Ground truth as JSONL: one record per line, with ISO times next to the epoch ms for people. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { isoLocal } from './core/time.ts';
import type { TruthRecord } from './core/types.ts';

export function truthLine(r: TruthRecord): string {
  return JSON.stringify({
    ...r,
    time: isoLocal(r.ts),
    ...(r.endTs !== undefined ? { endTime: isoLocal(r.endTs) } : {}),
  });
}

export class TruthWriter {
  private readonly out: WriteStream;

  constructor(file: string) {
    this.out = createWriteStream(file, { encoding: 'utf8' });
  }

  write(r: TruthRecord): void {
    this.out.write(`${truthLine(r)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}
