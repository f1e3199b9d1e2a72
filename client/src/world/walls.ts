/**
 * Walls from the floor plan: every zone edge becomes wall, edges that two zones share
 * are drawn once, and where two zones meet a doorway is left open in the middle of
 * the shared stretch. Pure geometry, so it is unit-tested without WebGL.
 */

import type { Zone } from "../api/brand";

export interface WallSegment {
  /** "x": the wall runs along x at z = `at`; "z": along z at x = `at`. */
  axis: "x" | "z";
  at: number;
  from: number;
  to: number;
  height: number;
}

export const DOORWAY_WIDTH = 6;
const EPS = 1e-6;

type Interval = [number, number];

interface Edge {
  axis: "x" | "z";
  at: number;
  from: number;
  to: number;
  height: number;
}

function edges(zone: Zone): Edge[] {
  const b = zone.bounds;
  const h = b.height;
  return [
    { axis: "x", at: b.min_z, from: b.min_x, to: b.max_x, height: h },
    { axis: "x", at: b.max_z, from: b.min_x, to: b.max_x, height: h },
    { axis: "z", at: b.min_x, from: b.min_z, to: b.max_z, height: h },
    { axis: "z", at: b.max_x, from: b.min_z, to: b.max_z, height: h },
  ];
}

/** Doorways between zones that touch: [axis, at, from, to]. */
export function doorways(zones: readonly Zone[]): Edge[] {
  const out: Edge[] = [];
  for (let i = 0; i < zones.length; i += 1) {
    for (let j = i + 1; j < zones.length; j += 1) {
      const a = zones[i].bounds;
      const b = zones[j].bounds;
      const touchZ = Math.abs(a.max_z - b.min_z) < EPS ? a.max_z : Math.abs(b.max_z - a.min_z) < EPS ? a.min_z : null;
      const touchX = Math.abs(a.max_x - b.min_x) < EPS ? a.max_x : Math.abs(b.max_x - a.min_x) < EPS ? a.min_x : null;
      if (touchZ !== null) {
        const lo = Math.max(a.min_x, b.min_x);
        const hi = Math.min(a.max_x, b.max_x);
        if (hi - lo > EPS) out.push(centred("x", touchZ, lo, hi));
      }
      if (touchX !== null) {
        const lo = Math.max(a.min_z, b.min_z);
        const hi = Math.min(a.max_z, b.max_z);
        if (hi - lo > EPS) out.push(centred("z", touchX, lo, hi));
      }
    }
  }
  return out;
}

function centred(axis: "x" | "z", at: number, lo: number, hi: number): Edge {
  const mid = (lo + hi) / 2;
  const half = Math.min(DOORWAY_WIDTH, hi - lo) / 2;
  return { axis, at, from: mid - half, to: mid + half, height: 0 };
}

function union(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((p, q) => p[0] - q[0]);
  const out: Interval[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + EPS) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function subtract(intervals: Interval[], holes: Interval[]): Interval[] {
  let pieces = intervals;
  for (const [hlo, hhi] of holes) {
    pieces = pieces.flatMap(([lo, hi]): Interval[] => {
      if (hhi <= lo || hlo >= hi) return [[lo, hi]];
      const keep: Interval[] = [];
      if (hlo - lo > EPS) keep.push([lo, hlo]);
      if (hi - hhi > EPS) keep.push([hhi, hi]);
      return keep;
    });
  }
  return pieces;
}

export function wallSegments(zones: readonly Zone[]): WallSegment[] {
  const lines = new Map<string, { axis: "x" | "z"; at: number; parts: Interval[]; height: number }>();
  for (const zone of zones) {
    for (const edge of edges(zone)) {
      const key = `${edge.axis}:${edge.at.toFixed(4)}`;
      const line = lines.get(key) ?? { axis: edge.axis, at: edge.at, parts: [], height: 0 };
      line.parts.push([edge.from, edge.to]);
      line.height = Math.max(line.height, edge.height);
      lines.set(key, line);
    }
  }
  const doors = doorways(zones);
  const out: WallSegment[] = [];
  for (const line of lines.values()) {
    const holes = doors
      .filter((d) => d.axis === line.axis && Math.abs(d.at - line.at) < EPS)
      .map((d): Interval => [d.from, d.to]);
    for (const [from, to] of subtract(union(line.parts), holes)) {
      out.push({ axis: line.axis, at: line.at, from, to, height: line.height });
    }
  }
  return out;
}
