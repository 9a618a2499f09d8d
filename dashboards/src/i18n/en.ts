/** English: the page catalogues put together, each typed against its zh-CN keys. */
import { commonEn } from './common.ts';
import { consoleEn } from './console.ts';
import { workerEn } from './worker.ts';
import { engineerEn } from './engineer.ts';
import { streetEn } from './street.ts';
import { privacyEn } from './privacy.ts';
import type { MessageKey } from './zh-CN.ts';

export const en: Record<MessageKey, string> = {
  ...commonEn,
  ...consoleEn,
  ...workerEn,
  ...engineerEn,
  ...streetEn,
  ...privacyEn,
};
