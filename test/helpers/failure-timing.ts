/**
 * Timing of refusals for a known name against unknown ones (issue 14: account and device
 * enumeration by timing). Attempts alternate which side goes first, so that neither always
 * follows the other; the medians are compared as a ratio measured in the same run.
 */
import { performance } from 'node:perf_hooks';

export interface FailureTimes {
  knownMs: number;
  unknownMs: number;
  /** knownMs / unknownMs */
  ratio: number;
}

export async function compareFailureTimes(
  refuse: (name: string) => Promise<void>,
  known: string,
  rounds = 24,
): Promise<FailureTimes> {
  const timed = async (name: string): Promise<number> => {
    const started = performance.now();
    await refuse(name);
    return performance.now() - started;
  };
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2) unknownTimes.push(await timed(`ghost-${i}`));
    knownTimes.push(await timed(known));
    if (i % 2 === 0) unknownTimes.push(await timed(`ghost-${i}`));
  }
  const knownMs = median(knownTimes);
  const unknownMs = median(unknownTimes);
  return { knownMs, unknownMs, ratio: knownMs / unknownMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
