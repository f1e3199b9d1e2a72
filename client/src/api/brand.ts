/** The brand and its store layout, as GET /api/brands/{slug} returns them. */

import { getJson } from "./http";

export type LocalText = Partial<Record<string, string>>;

export interface Box {
  min_x: number;
  min_z: number;
  max_x: number;
  max_z: number;
  height: number;
}

export interface Stand {
  id: string;
  product_slug: string | null;
  x: number;
  z: number;
  rotation_deg: number;
  label: LocalText;
}

export interface Sign {
  x: number;
  y: number;
  z: number;
  rotation_deg: number;
  text: LocalText;
}

export interface Zone {
  name: string;
  title: LocalText;
  bounds: Box;
  capacity: number;
  floor_color: string;
  spawn: [number, number] | null;
  stands: Stand[];
  signs: Sign[];
}

export interface StoreLayout {
  zones: Zone[];
  wall_color: string;
  accent_color: string;
}

export interface Brand {
  id: string;
  slug: string;
  name: string;
  default_locale: string;
  locales: string[];
  content: Record<string, Record<string, string>>;
  layout: StoreLayout;
  theme: Record<string, string>;
}

export const fetchBrand = (slug: string): Promise<Brand> =>
  getJson<Brand>(`/api/brands/${encodeURIComponent(slug)}`);

/** The zone whose floor contains (x, z), if any. */
export function zoneAt(layout: StoreLayout, x: number, z: number): Zone | undefined {
  return layout.zones.find(
    (zone) =>
      x >= zone.bounds.min_x && x <= zone.bounds.max_x && z >= zone.bounds.min_z && z <= zone.bounds.max_z,
  );
}

/** The zone a visitor starts in: the `?zone=` one if it exists, else the first with a spawn. */
/** Where a visitor starts: the zone asked for, else the one holding the product a link
 * opens (a shared configuration opens among the cars, not at the door), else the entrance. */
export function startZone(layout: StoreLayout, requested: string | null, product: string | null = null): Zone {
  return (
    layout.zones.find((zone) => zone.name === requested) ??
    layout.zones.find((zone) => product !== null && zone.stands.some((stand) => stand.product_slug === product)) ??
    layout.zones.find((zone) => zone.spawn !== null) ??
    layout.zones[0]
  );
}
