/**
 * Keyboard (WASD/arrows, by physical key so AZERTY works too), mouse look by dragging,
 * click or tap to walk or inspect, and a touch joystick on phones. Listeners only
 * record into the input state; the input system reads it once per frame.
 */

import { el } from "../ui/dom";
import { MOVEMENT_KEYS, isTypingTarget, joystickVector, type InputState } from "./input";

const CLICK_SLOP = 6; // px a pointer may move and still count as a click

export function attachControls(canvas: HTMLCanvasElement, input: InputState, onClick: (x: number, y: number) => void): () => void {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!MOVEMENT_KEYS.has(event.code)) return;
    input.keys.add(event.code);
    event.preventDefault();
  };
  const onKeyUp = (event: KeyboardEvent): void => {
    input.keys.delete(event.code);
  };
  const onBlur = (): void => input.keys.clear();

  let dragging = false;
  let startX = 0;
  let startY = 0;
  let lastX = 0;
  let lastY = 0;
  let moved = false;
  const onPointerDown = (event: PointerEvent): void => {
    if (event.pointerType === "touch" && !event.isPrimary) return;
    dragging = true;
    moved = false;
    startX = lastX = event.clientX;
    startY = lastY = event.clientY;
    canvas.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent): void => {
    if (!dragging) return;
    input.lookDX += event.clientX - lastX;
    input.lookDY += event.clientY - lastY;
    lastX = event.clientX;
    lastY = event.clientY;
    if (Math.hypot(lastX - startX, lastY - startY) > CLICK_SLOP) moved = true;
  };
  const onPointerUp = (event: PointerEvent): void => {
    if (!dragging) return;
    dragging = false;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    if (!moved) {
      // A click is not a look: give back what the tiny drag turned.
      input.lookDX -= lastX - startX;
      input.lookDY -= lastY - startY;
      onClick(event.clientX, event.clientY);
    }
  };

  window.addEventListener("keydown", onKeyDown);
  window.addEventListener("keyup", onKeyUp);
  window.addEventListener("blur", onBlur);
  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerUp);
  canvas.addEventListener("pointercancel", onPointerUp);
  return () => {
    window.removeEventListener("keydown", onKeyDown);
    window.removeEventListener("keyup", onKeyUp);
    window.removeEventListener("blur", onBlur);
    canvas.removeEventListener("pointerdown", onPointerDown);
    canvas.removeEventListener("pointermove", onPointerMove);
    canvas.removeEventListener("pointerup", onPointerUp);
    canvas.removeEventListener("pointercancel", onPointerUp);
  };
}

/** An on-screen joystick for touch screens: drag the knob to walk. */
export function createJoystick(input: InputState): HTMLElement {
  const knob = el("div", { class: "joystick-knob" });
  const pad = el("div", { class: "joystick", "aria-hidden": "true" }, knob);
  const radius = 50;
  const vector = { x: 0, y: 0 };
  let active: number | null = null;
  let cx = 0;
  let cy = 0;
  pad.addEventListener("pointerdown", (event) => {
    active = event.pointerId;
    const rect = pad.getBoundingClientRect();
    cx = rect.left + rect.width / 2;
    cy = rect.top + rect.height / 2;
    pad.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  pad.addEventListener("pointermove", (event) => {
    if (event.pointerId !== active) return;
    joystickVector(event.clientX - cx, event.clientY - cy, radius, vector);
    input.joyX = vector.x;
    input.joyY = vector.y;
    knob.style.transform = `translate(${vector.x * radius}px, ${vector.y * radius}px)`;
  });
  const release = (event: PointerEvent): void => {
    if (event.pointerId !== active) return;
    active = null;
    input.joyX = 0;
    input.joyY = 0;
    knob.style.transform = "";
  };
  pad.addEventListener("pointerup", release);
  pad.addEventListener("pointercancel", release);
  return pad;
}
