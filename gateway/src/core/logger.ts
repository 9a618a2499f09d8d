/** pino loggers, one child per module: `weige:<module>`. Secrets are redacted at the root. */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

export function createRootLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({
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
  });
}

export function moduleLogger(root: Logger, module: string): Logger {
  return root.child({ ns: `weige:${module}` });
}
