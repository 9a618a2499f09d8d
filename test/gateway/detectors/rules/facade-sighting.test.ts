/**
 * A camera-side falling-object event on a calibrated façade camera: its box bounds the release
 * floor from below. Boxes come from an independent pinhole projection of known world points
 * (simulators/camera/projection.ts), an object 0.4 m out from the wall as a throw leaves it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SiteIndex } from '../../../../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../../../gateway/src/site/site-loader.ts';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { ManualClock } from '../../../../gateway/src/core/clock.ts';
import { RuleEngine } from '../../../../gateway/src/detectors/rules/engine.ts';
import { facadeSighting } from '../../../../gateway/src/detectors/rules/facade-sighting.ts';
import { parseRule } from '../../../../gateway/src/detectors/rules/rule-loader.ts';
import { FacadeCamera } from '../../../../simulators/camera/projection.ts';

const site = new SiteIndex(loadSiteFile(EXAMPLE_SITE_FILE));
const camera = site.device('cam-b3-east')!;
const watched = site.watchedFacade(camera)!;
const building = watched.building;
const lens = new FacadeCamera(camera.calibration!);
const SILL_M = 1.0;

/** The box centre of an object at (x, 0.4 m out, z), as the camera sees it. */
function boxAt(xM: number, zM: number): [number, number, number, number] {
  const p = lens.project3d([xM, 0.4, zM]);
  return [Math.round(p.u), Math.round(p.v), 12, 12];
}

describe('camera event → façade sighting', () => {
  it('a box seen at the sill it left gives that floor as the lowest, up to the top floor', () => {
    const fromFloors: number[] = [];
    for (let floor = 2; floor <= building.floors; floor++) {
      const z = (floor - 1) * building.floorHeightM + SILL_M;
      fromFloors.push(facadeSighting(camera, watched, boxAt(9, z))!.floorRange[0]);
      expect(facadeSighting(camera, watched, boxAt(9, z))!.floorRange[1]).toBe(building.floors);
    }
    expect(fromFloors).toEqual(Array.from({ length: building.floors - 1 }, (_, i) => i + 2));
  });

  it('never puts the lowest floor above the floor released from, for objects seen after falling a while', () => {
    for (let floor = 3; floor <= building.floors; floor++)
      for (const fallenM of [0.5, 2, 5]) {
        const z = (floor - 1) * building.floorHeightM + SILL_M - fallenM;
        const s = facadeSighting(camera, watched, boxAt(15, z))!;
        expect(s.floorRange[0]).toBeLessThanOrEqual(floor);
        // and no looser than the storeys it fell past, plus one for reach
        expect(s.floorRange[0]).toBeGreaterThanOrEqual(
          floor - Math.ceil(fallenM / building.floorHeightM) - 1,
        );
      }
  });

  it('names the window column from where along the façade the box is', () => {
    const columnWidth = 24 / 4;
    const columns = [0, 1, 2, 3].map(
      (i) => facadeSighting(camera, watched, boxAt((i + 0.5) * columnWidth, 20))!.windowColumn,
    );
    expect(columns).toEqual([1, 2, 3, 4]);
  });

  it('gives nothing for a camera without calibration or a box that is not four numbers', () => {
    expect(facadeSighting({ ...camera, calibration: undefined }, watched, [500, 500, 10, 10])).toBeNull();
    expect(facadeSighting(camera, watched, [500, 500])).toBeNull();
    expect(facadeSighting(camera, watched, 'box')).toBeNull();
  });

  it('the falling-object rule puts the floor range in the alert location, evidence and message', () => {
    const text = readFileSync('rules/packs/camera-events/falling-object.yaml', 'utf8');
    const parsed = parseRule(text, 'falling-object.yaml');
    if (!parsed.rule) throw new Error(JSON.stringify(parsed.problems));
    const t0 = Date.parse('2026-11-20T15:00:00+08:00');
    const out: Detection[] = [];
    const engine = new RuleEngine({ site, clock: new ManualClock(t0), emit: (d) => out.push(d) });
    engine.setRules([parsed.rule]);
    engine.start();
    const event = (ts: number, bbox?: number[]) => ({
      source: 'event' as const,
      deviceId: 'cam-b3-east',
      ts,
      stream: 'ev:falling_object',
      values: { confidence: 0.9, seen: 1 },
      labels: { type: 'falling_object' },
      attributes: bbox ? { bbox } : {},
    });
    engine.ingest(event(t0, boxAt(9, 11 * building.floorHeightM + SILL_M))); // left floor 12
    engine.ingest(event(t0 + 5 * 60_000)); // no box: floor unknown
    expect(out).toHaveLength(2);
    const [withBox, without] = out as [Detection, Detection];
    expect(withBox.location.floorRange).toEqual([12, 14]);
    expect(withBox.evidence.origin).toMatchObject({ floorRange: [12, 14], windowColumn: 2 });
    expect(withBox.message['zh-CN']).toContain('12层及以上、第2列窗户');
    expect(withBox.message.en).toContain('floor 12 or above, window column 2');
    expect(without.location.floorRange).toBeNull();
    expect(without.evidence.origin).toBeUndefined();
    expect(without.message['zh-CN']).toContain('楼层不明');
  });
});
