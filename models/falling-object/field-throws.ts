/**
 * The model alone on the throws of independent scenes (`field/`, issue 13): each throw's own
 * track, taken from the scene's messages, through the same pre-processing, classifier and
 * decision the gateway runs, with the site's camera calibration. Prints every throw (object,
 * tracker delay, fps, points, box width, true → traced floor, decision, top two classes) and
 * recall by tracker delay, floor exact and ±1. Distractors and the repeat filter are not here:
 * false alerts are measured only through the gateway (models/README.md, "Field check").
 *
 *   npx tsx models/falling-object/field-throws.ts <version> field/scenes/throws-1/ [more scene dirs]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrackPoint } from '../../gateway/src/contracts/readings.ts';
import { selectBackend } from '../lib/backend.ts';
import { loadSiteFile } from '../../gateway/src/site/site-loader.ts';
import type { Homography } from './geometry.ts';
import { readModelFolder } from '../lib/model-store.ts';
import { facadeLayout } from './origin.ts';
import { analyseTrack, classify, CLASSES, decide, MODEL_NAME, type CameraContext } from './predict.ts';

const SITE_FILE = 'sites/chunjiang.yaml';

interface ThrowTruth {
  kind: 'throw';
  camera: string;
  floor: number;
  object: string;
  trackId: string;
  trackDelayS: number;
  fps: number;
}

interface TrackPayload {
  track_id: string;
  fps: number;
  frame: { w: number; h: number };
  points: TrackPoint[];
}

interface Outcome {
  delayS: number;
  alert: boolean;
  floorError: number | null;
}

function cameraContexts(): Map<string, CameraContext> {
  const site = loadSiteFile(SITE_FILE);
  const out = new Map<string, CameraContext>();
  for (const device of site.devices) {
    const building = site.buildings.find((b) => b.id === device.building);
    const facade = building?.facades.find((f) => f.id === device.facade);
    if (device.kind !== 'camera' || !building || !facade || !device.calibration) continue;
    out.set(device.id, {
      homography: device.calibration.homography as Homography,
      fps: device.calibration.fps,
      layout: facadeLayout(building, facade),
    });
  }
  return out;
}

function sceneThrows(dir: string): Array<{ truth: ThrowTruth; track: TrackPayload | undefined }> {
  const truths = readFileSync(path.join(dir, 'truth.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string })
    .filter((t): t is ThrowTruth => t.kind === 'throw');
  const wanted = new Set(truths.map((t) => t.trackId));
  const tracks = new Map<string, TrackPayload>();
  for (const line of readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').split('\n')) {
    if (!line.includes('/track"')) continue;
    const payload = JSON.parse((JSON.parse(line) as { payload: string }).payload) as TrackPayload;
    if (wanted.has(payload.track_id)) tracks.set(payload.track_id, payload);
  }
  return truths.map((truth) => ({ truth, track: tracks.get(truth.trackId) }));
}

async function main(version: number, dirs: string[]): Promise<void> {
  const runtime = await selectBackend(null);
  const tf = runtime.tf;
  const folder = readModelFolder(MODEL_NAME, version);
  const model = await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts));
  const contexts = cameraContexts();
  const outcomes: Outcome[] = [];
  for (const dir of dirs) {
    for (const { truth, track } of sceneThrows(dir)) {
      const context = contexts.get(truth.camera);
      if (!track || !context) {
        console.log(`${truth.object}: no track or no calibrated camera`);
        outcomes.push({ delayS: truth.trackDelayS, alert: false, floorError: null });
        continue;
      }
      const analysis = analyseTrack(track, context, folder.meta.params);
      const probs = classify(tf, model, folder.meta, [analysis])[0]!;
      const decision = decide(
        {
          fitted: analysis.fit !== null && analysis.origin !== null,
          dropM: analysis.dropM,
          physics: analysis.physics,
        },
        probs,
        folder.meta,
        context.layout.floorHeightM,
      );
      const floor = analysis.origin?.floor ?? null;
      outcomes.push({
        delayS: truth.trackDelayS,
        alert: decision.alert,
        floorError: floor === null ? null : Math.abs(floor - truth.floor),
      });
      const top = [...CLASSES]
        .sort((a, b) => probs[b] - probs[a])
        .slice(0, 2)
        .map((c) => `${c} ${probs[c].toFixed(2)}`)
        .join(', ');
      const widths = track.points.map((p) => p[3]).sort((a, b) => a - b);
      console.log(
        [
          path.basename(dir).padEnd(10),
          truth.object.padEnd(18),
          `delay ${truth.trackDelayS.toFixed(2)} s`,
          `${truth.fps} fps`,
          `${String(track.points.length).padStart(3)} pts`,
          `box ${widths[widths.length >> 1]} px`,
          `floor ${truth.floor} → ${floor ?? '-'}`,
          decision.alert ? 'ALERT' : `miss (${decision.reason})`,
          top,
        ].join('  '),
      );
    }
  }
  const band = (lo: number, hi: number): string => {
    const inBand = outcomes.filter((o) => o.delayS >= lo && o.delayS < hi);
    return `${inBand.filter((o) => o.alert).length}/${inBand.length}`;
  };
  const caught = outcomes.filter((o) => o.alert && o.floorError !== null);
  console.log(
    `\n${MODEL_NAME}@${version} (threshold ${folder.meta.thresholds.alert}): recall ` +
      `${outcomes.filter((o) => o.alert).length}/${outcomes.length} ` +
      `(track start < 0.3 s ${band(0, 0.3)}, 0.3–0.6 s ${band(0.3, 0.6)}, ≥ 0.6 s ${band(0.6, Infinity)}); ` +
      `floor exact ${caught.filter((o) => o.floorError === 0).length}/${caught.length}, ` +
      `±1 ${caught.filter((o) => o.floorError! <= 1).length}/${caught.length}`,
  );
  model.dispose();
}

const [version, ...dirs] = process.argv.slice(2);
if (!version || dirs.length === 0) {
  console.error('usage: npx tsx models/falling-object/field-throws.ts <version> <scene dir>…');
  process.exitCode = 2;
} else await main(Number(version), dirs);
