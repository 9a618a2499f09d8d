/** 简体中文 (default): the page catalogues (common.ts, console.ts, …) put together. */
import { commonZhCN } from './common.ts';
import { consoleZhCN } from './console.ts';
import { workerZhCN } from './worker.ts';
import { engineerZhCN } from './engineer.ts';
import { streetZhCN } from './street.ts';
import { privacyZhCN } from './privacy.ts';

export const zhCN = {
  ...commonZhCN,
  ...consoleZhCN,
  ...workerZhCN,
  ...engineerZhCN,
  ...streetZhCN,
  ...privacyZhCN,
} as const;

export type MessageKey = keyof typeof zhCN;
