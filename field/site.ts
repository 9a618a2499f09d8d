/** The example site's devices a scene speaks for, read from the site file (never hard-coded). */
import { loadSiteFile } from '../gateway/src/site/site-loader.ts';
import type { Building, Device, Household, Site } from '../gateway/src/contracts/site.ts';

export const DEFAULT_SITE_FILE = 'sites/chunjiang.yaml';

export function loadSite(file = DEFAULT_SITE_FILE): Site {
  return loadSiteFile(file);
}

export interface FacadeCamera {
  device: Device;
  building: Building;
  facadeId: string;
  facadeWidthM: number;
  windowColumns: number;
  homography: number[][];
  frame: { w: number; h: number };
}

/** Cameras with a façade calibration: the ones whose tracks the gateway traces to a floor. */
export function facadeCameras(site: Site): FacadeCamera[] {
  return site.devices.flatMap((device) => {
    const building = site.buildings.find((b) => b.id === device.building);
    const facade = building?.facades.find((f) => f.id === device.facade);
    if (device.kind !== 'camera' || !building || !facade || !device.calibration) return [];
    return [
      {
        device,
        building,
        facadeId: facade.id,
        facadeWidthM: facade.widthM,
        windowColumns: facade.windowColumns ?? 4,
        homography: device.calibration.homography,
        frame: device.calibration.frame,
      },
    ];
  });
}

export interface AloneHousehold {
  household: Household;
  meter: Device;
  /** Presence signals where the site fits them: the smart electricity meter, the entrance door contact. */
  electricity: Device | null;
  door: Device | null;
}

/** Elderly people living alone, with the water meter of their household and its presence devices. */
export function aloneHouseholds(site: Site): AloneHousehold[] {
  return site.households.flatMap((household) => {
    const of = (kind: Device['kind']): Device | null =>
      site.devices.find((d) => d.kind === kind && d.household === household.id) ?? null;
    const meter = of('water_meter');
    if (!household.elderly || !household.livesAlone || !meter) return [];
    return [{ household, meter, electricity: of('electricity_meter'), door: of('door_contact') }];
  });
}

export interface Shed {
  id: string;
  smoke: Device;
  /** Further smoke/heat/gas sensors in the shed (the site's `second_sensor`). */
  others: Device[];
  charger: Device;
}

export function bikeSheds(site: Site): Shed[] {
  return site.places.flatMap((place) => {
    if (place.kind !== 'bike_shed') return [];
    const here = site.devices.filter((d) => d.place === place.id);
    const sensors = here.filter((d) => d.kind === 'smoke_sensor');
    const smoke = sensors.find((d) => !d.tags?.includes('second_sensor')) ?? sensors[0];
    const charger = here.find((d) => d.kind === 'charging_controller');
    if (!smoke || !charger) return [];
    return [{ id: place.id, smoke, others: sensors.filter((d) => d !== smoke), charger }];
  });
}
