/**
 * pino loggers, one child per module: `weige:<module>`. Secrets are redacted at the root. JSON lines
 * for machines; one readable line per record for a person at a terminal (`WEIGE_LOG_FORMAT`).
 */
import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;
export type LogFormat = 'json' | 'pretty';

/** `auto`: readable on a terminal, JSON lines when the output goes to a file or a collector. */
export function resolveLogFormat(
  setting: LogFormat | 'auto',
  stdoutIsTty = Boolean(process.stdout.isTTY),
): LogFormat {
  return setting === 'auto' ? (stdoutIsTty ? 'pretty' : 'json') : setting;
}

/** Readable lines: time, level, module, message, then the record's other fields on the same line. */
function prettyStream(destination: NodeJS.WritableStream | number = 1, colorize = false): DestinationStream {
  return pretty({
    destination,
    sync: true,
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,ns',
    messageFormat: '{if ns}{ns} {end}{msg}',
  });
}

/** `out`: where the lines go (standard output when not given; tests pass a stream). */
export function createRootLogger(
  level: LevelWithSilent = 'info',
  format: LogFormat = 'json',
  out?: NodeJS.WritableStream,
): Logger {
  const options = {
    level,
    base: undefined,
    redact: {
      paths: [
        'password',
        '*.password',
        'passwordHash',
        '*.passwordHash',
        'req.headers.authorization',
        'token',
      ],
      censor: '[redacted]',
    },
  };
  if (format === 'pretty')
    return pino(options, prettyStream(out ?? 1, !out && Boolean(process.stdout.isTTY)));
  return out ? pino(options, out as DestinationStream) : pino(options);
}

export function moduleLogger(root: Logger, module: string): Logger {
  return root.child({ ns: `weige:${module}` });
}
