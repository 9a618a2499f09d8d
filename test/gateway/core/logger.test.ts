/** The log people read at a terminal, and the JSON lines machines read: the same records, redacted. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRootLogger, moduleLogger, resolveLogFormat } from '../../../gateway/src/core/logger.ts';

function capture(): { out: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { out, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('gateway log', () => {
  it('pretty: one readable line per record with module, message and fields, secrets redacted', () => {
    const { out, lines } = capture();
    const log = moduleLogger(createRootLogger('info', 'pretty', out), 'gateway');
    log.info({ httpPort: 8080, password: 'hunter2' }, 'gateway started');
    log.debug({}, 'below the level');
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: weige:gateway gateway started \{.*\}$/);
    expect(line).toContain('"httpPort":8080');
    expect(line).toContain('"password":"[redacted]"');
    expect(line).not.toContain('hunter2');
  });

  it('json: one JSON object per record, for collectors', () => {
    const { out, lines } = capture();
    moduleLogger(createRootLogger('info', 'json', out), 'ingest').warn({ token: 'abc' }, 'refused');
    const record = JSON.parse(lines()[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 40, ns: 'weige:ingest', msg: 'refused', token: '[redacted]' });
  });

  it('auto is pretty on a terminal and JSON otherwise', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
