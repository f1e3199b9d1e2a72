/**
 * Buffered interpolation of remote avatars: each avatar keeps a short ring of timed
 * samples (the snapshots it appeared in) and is drawn where it was `delay` seconds
 * ago, between the two samples around that moment. Fixed-size typed arrays, so
 * nothing is allocated per frame or per snapshot.
 */

export interface Pose {
  x: number;
  y: number;
  z: number;
  yaw: number;
}

const STRIDE = 5; // t, x, y, z, yaw
const TAU = Math.PI * 2;

/** The shortest signed turn from angle a to angle b, in (-PI, PI]. */
export function angleDelta(a: number, b: number): number {
  let d = (b - a) % TAU;
  if (d > Math.PI) d -= TAU;
  if (d <= -Math.PI) d += TAU;
  return d;
}

export class SampleBuffer {
  private readonly data: Float64Array;
  private head = 0; // index of the next write
  count = 0;

  constructor(readonly capacity = 16) {
    this.data = new Float64Array(capacity * STRIDE);
  }

  private slot(i: number): number {
    // i = 0 is the oldest sample kept
    return ((this.head - this.count + i + this.capacity) % this.capacity) * STRIDE;
  }

  latestTime(): number {
    return this.count === 0 ? -Infinity : this.data[this.slot(this.count - 1)];
  }

  /**
   * Adds a sample taken at time `t` (seconds). When the avatar was still for a while
   * (no sample for more than `gap` s), the last pose is repeated just before `t` so the
   * new movement starts from there instead of being stretched over the pause.
   */
  push(t: number, x: number, y: number, z: number, yaw: number, gap = Infinity, step = 0): void {
    if (this.count > 0) {
      const last = this.latestTime();
      if (t < last) return; // out of order: drop
      if (t - last > gap && step > 0) {
        const s = this.slot(this.count - 1);
        const d = this.data;
        this.write(t - step, d[s + 1], d[s + 2], d[s + 3], d[s + 4]);
      }
    }
    this.write(t, x, y, z, yaw);
  }

  private write(t: number, x: number, y: number, z: number, yaw: number): void {
    const o = this.head * STRIDE;
    const d = this.data;
    d[o] = t;
    d[o + 1] = x;
    d[o + 2] = y;
    d[o + 3] = z;
    d[o + 4] = yaw;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Writes the pose at `time` into `out`; false when there is no sample yet. */
  sample(time: number, out: Pose): boolean {
    const n = this.count;
    if (n === 0) return false;
    const d = this.data;
    const first = this.slot(0);
    const last = this.slot(n - 1);
    if (time <= d[first]) return this.copy(first, out);
    // past the newest sample: hold it (no extrapolation, which overshoots when people stop)
    if (time >= d[last]) return this.copy(last, out);
    for (let i = n - 1; i > 0; i -= 1) {
      const a = this.slot(i - 1);
      if (d[a] <= time) {
        const b = this.slot(i);
        const span = d[b] - d[a];
        const k = span > 0 ? (time - d[a]) / span : 1;
        out.x = d[a + 1] + (d[b + 1] - d[a + 1]) * k;
        out.y = d[a + 2] + (d[b + 2] - d[a + 2]) * k;
        out.z = d[a + 3] + (d[b + 3] - d[a + 3]) * k;
        out.yaw = d[a + 4] + angleDelta(d[a + 4], d[b + 4]) * k;
        return true;
      }
    }
    return this.copy(last, out);
  }

  private copy(s: number, out: Pose): boolean {
    const d = this.data;
    out.x = d[s + 1];
    out.y = d[s + 2];
    out.z = d[s + 3];
    out.yaw = d[s + 4];
    return true;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

/** How far behind real time remote avatars are drawn: two and a half server ticks, at least 100 ms. */
export function interpolationDelay(tickHz: number): number {
  return Math.max(0.1, 2.5 / Math.max(tickHz, 1));
}
