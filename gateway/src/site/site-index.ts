/**
 * Lookups over a loaded site: grid paths, containment (who sees what), and where a device is.
 * Devices registered at run time are added here too, so every stage sees one device list.
 */
import type { AlertLocation } from '../contracts/alerts.ts';
import type {
  Building,
  Device,
  Facade,
  GridNode,
  Household,
  Place,
  Site,
  StaffMember,
} from '../contracts/site.ts';

export class SiteIndex {
  private readonly nodes = new Map<string, GridNode>();
  private readonly parents = new Map<string, string | null>();
  private readonly devices = new Map<string, Device>();
  private readonly buildings: Map<string, Building>;
  private readonly places: Map<string, Place>;
  private readonly households: Map<string, Household>;

  constructor(readonly site: Site) {
    const walk = (node: GridNode, parent: string | null): void => {
      this.nodes.set(node.id, node);
      this.parents.set(node.id, parent);
      node.children?.forEach((c) => walk(c, node.id));
    };
    walk(site.grid, null);
    this.buildings = new Map(site.buildings.map((b) => [b.id, b]));
    this.places = new Map(site.places.map((p) => [p.id, p]));
    this.households = new Map(site.households.map((h) => [h.id, h]));
    for (const d of site.devices) this.devices.set(d.id, d);
  }

  get siteId(): string {
    return this.site.id;
  }

  gridNode(id: string): GridNode | undefined {
    return this.nodes.get(id);
  }

  /** Grid node ids from the street down to `nodeId` (the alert's `grid` field). */
  gridPath(nodeId: string | null): string[] {
    const path: string[] = [];
    for (let id = nodeId; id; id = this.parents.get(id) ?? null) path.unshift(id);
    return path;
  }

  /** True when `nodeId` is `ancestorId` or lies below it. */
  isWithin(nodeId: string | null, ancestorId: string): boolean {
    for (let id = nodeId; id; id = this.parents.get(id) ?? null) if (id === ancestorId) return true;
    return false;
  }

  parentOf(nodeId: string): string | null {
    return this.parents.get(nodeId) ?? null;
  }

  device(id: string): Device | undefined {
    return this.devices.get(id);
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  allDevices(): Device[] {
    return [...this.devices.values()];
  }

  addDevice(device: Device): void {
    this.devices.set(device.id, device);
  }

  building(id: string | undefined): Building | undefined {
    return id === undefined ? undefined : this.buildings.get(id);
  }

  /** The building and façade a camera watches; undefined when it watches none (or a missing one). */
  watchedFacade(device: Device): { building: Building; facade: Facade } | undefined {
    const building = this.building(device.building);
    const facade = building?.facades.find((f) => f.id === device.facade);
    return building && facade ? { building, facade } : undefined;
  }

  place(id: string | undefined): Place | undefined {
    return id === undefined ? undefined : this.places.get(id);
  }

  household(id: string | undefined): Household | undefined {
    return id === undefined ? undefined : this.households.get(id);
  }

  /** A flat in one style: 3号楼1单元1403室 (zh-CN), "Building 3, unit 1, room 1403" (en); null if unknown. */
  householdName(id: string | undefined, lang: 'zh-CN' | 'en'): string | null {
    const hh = this.household(id);
    if (!hh) return null;
    const building =
      this.building(hh.building)?.name[lang] ?? this.building(hh.building)?.name['zh-CN'] ?? hh.building;
    return lang === 'en'
      ? `${building}, unit ${hh.unit}, room ${hh.room}`
      : `${building}${hh.unit}单元${hh.room}室`;
  }

  allHouseholds(): Household[] {
    return this.site.households;
  }

  staffMember(id: string): StaffMember | undefined {
    return this.site.staff.find((s) => s.id === id);
  }

  /** The grid node a device hangs under: its household's, place's or building's. */
  deviceGrid(device: Device): string | null {
    return (
      this.household(device.household)?.grid ??
      this.place(device.place)?.grid ??
      this.building(device.building)?.grid ??
      this.building(this.household(device.household)?.building)?.grid ??
      null
    );
  }

  /** Where a device is, spelled out as an alert location. */
  deviceLocation(device: Device): AlertLocation {
    const household = this.household(device.household);
    const place = this.place(device.place);
    return {
      building: household?.building ?? device.building ?? place?.building ?? null,
      facade: device.facade ?? null,
      floor: household?.floor ?? device.floor ?? null,
      floorRange: null,
      unit: household?.unit ?? device.unit ?? null,
      household: household?.id ?? null,
      place: place?.id ?? null,
    };
  }
}
