/**
 * The gateway classifies a shed's window only when the decider reads its probabilities
 * (`lazyProbabilities`): on simulated runaways and a day of nuisances, that decides exactly as
 * classifying every window in one batch — same alerts, times, ports and probabilities — with a
 * fraction of the model calls. One row per call and many rows per call give the same numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type Tf } from '../../../models/lib/backend.ts';
import { ModelRegistry, type LoadedModel } from '../../../gateway/src/detectors/models/registry.ts';
import { createRootLogger } from '../../../gateway/src/core/logger.ts';
import { generateRuns, type Run } from '../../../models/fire-fusion/dataset.ts';
import {
  classify,
  FireDecider,
  lazyProbabilities,
  MODEL_NAME,
  type FireDecision,
  type Probabilities,
} from '../../../models/fire-fusion/predict.ts';

let tf: Tf;
let loaded: LoadedModel;
let runs: Run[];

beforeAll(async () => {
  tf = (await selectBackend(null)).tf;
  const registry = new ModelRegistry({ tf, log: createRootLogger('silent') });
  loaded = (await registry.reload(MODEL_NAME))!;
  runs = [
    ...generateRuns({
      seed: 'lazy-probabilities',
      runaways: 3,
      quietRuns: 1,
      quietDaysPerRun: 1,
      nuisancePerShedDay: 8,
      months: [1, 7],
      ports: [12, 24],
    }),
  ];
}, 120_000);

const summary = (d: FireDecision) => ({
  kind: d.kind,
  t: d.t,
  suspectPort: d.suspectPort,
  probabilities: { ...d.probabilities },
});

describe('fire-fusion lazy classification', () => {
  it('decides as classifying every window in one batch, with far fewer model calls', () => {
    let windows = 0;
    let calls = 0;
    for (const run of runs) {
      const batch = classify(tf, loaded.model, loaded.meta, run.windows);
      const eager = new FireDecider(loaded.meta.thresholds);
      const lazy = new FireDecider(loaded.meta.thresholds);
      const expected = run.windows.flatMap((w, j) => eager.step(w, batch[j]!)).map(summary);
      const decided = run.windows
        .flatMap((w) =>
          lazy.step(
            w,
            lazyProbabilities((): Probabilities => {
              calls++;
              return classify(tf, loaded.model, loaded.meta, [w])[0]!;
            }),
          ),
        )
        .map(summary);
      expect(decided).toEqual(expected);
      windows += run.windows.length;
    }
    // The runaways raise alerts, so the comparison covers decisions, not just silence.
    expect(runs.filter((r) => r.runaway).length).toBe(3);
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(windows / 5);
  }, 120_000);

  it('gives the same probabilities for a window classified alone as in a batch', () => {
    const windows = runs.flatMap((r) => r.windows).filter((_, i) => i % 25 === 0);
    const batch = classify(tf, loaded.model, loaded.meta, windows);
    const alone = windows.map((w) => classify(tf, loaded.model, loaded.meta, [w])[0]!);
    expect(alone).toEqual(batch);
  }, 120_000);
});
