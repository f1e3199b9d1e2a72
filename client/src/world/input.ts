/** What the person is pressing, dragging and pointing at; the input system turns it into intent. */

export interface InputState {
  keys: Set<string>;
  /** Touch joystick, -1..1 on both axes (y down is backwards). */
  joyX: number;
  joyY: number;
  /** Pixels dragged horizontally since the last frame (mouse look). */
  lookDX: number;
  lookDY: number;
  walkTo: { active: boolean; x: number; z: number };
}

export const MOVEMENT_KEYS = new Set([
  "KeyW",
  "KeyA",
  "KeyS",
  "KeyD",
  "KeyQ",
  "KeyE",
  "ArrowUp",
  "ArrowDown",
  "ArrowLeft",
  "ArrowRight",
]);

export function createInput(): InputState {
  return { keys: new Set(), joyX: 0, joyY: 0, lookDX: 0, lookDY: 0, walkTo: { active: false, x: 0, z: 0 } };
}

/** Typing in a form field never walks the avatar. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(target.tagName);
}

/** Joystick vector from a drag offset (pixels) within a pad of `radius`, clamped to the unit disc. */
export function joystickVector(dx: number, dy: number, radius: number, out: { x: number; y: number }): void {
  const len = Math.hypot(dx, dy);
  const k = len > radius ? radius / len : 1;
  out.x = (dx * k) / radius;
  out.y = (dy * k) / radius;
}
