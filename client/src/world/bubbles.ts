/**
 * Speech bubbles over avatars: DOM elements laid over the canvas, text inserted as
 * text, positioned each frame by projecting the avatar's head (one reused vector).
 */

import { Camera, Vector3 } from "three";
import { el } from "../ui/dom";

export interface Bubble {
  element: HTMLDivElement;
  text: string;
}

const head = new Vector3();

export class BubbleLayer {
  readonly element: HTMLDivElement;
  private readonly bubbles = new Map<number, Bubble>();

  constructor() {
    this.element = el("div", { class: "bubbles", "aria-hidden": "true" });
  }

  /** Shows `text` over the avatar at (x, y, z) until `until`, or hides it. */
  place(id: number, text: string, until: number, now: number, x: number, y: number, z: number, camera: Camera, width: number, height: number): void {
    let bubble = this.bubbles.get(id);
    if (!text || now > until) {
      if (bubble) bubble.element.hidden = true;
      return;
    }
    if (!bubble) {
      bubble = { element: el("div", { class: "bubble", "data-avatar": id }), text: "" };
      this.bubbles.set(id, bubble);
      this.element.append(bubble.element);
    }
    if (bubble.text !== text) {
      bubble.element.textContent = text;
      bubble.text = text;
    }
    head.set(x, y + 2.55, z).project(camera);
    const visible = head.z < 1 && head.x > -1.1 && head.x < 1.1 && head.y > -1.1 && head.y < 1.1;
    bubble.element.hidden = !visible;
    if (visible) {
      const px = ((head.x + 1) / 2) * width;
      const py = ((1 - head.y) / 2) * height;
      bubble.element.style.transform = `translate(${px.toFixed(1)}px, ${py.toFixed(1)}px) translate(-50%, -100%)`;
    }
  }

  drop(id: number): void {
    this.bubbles.get(id)?.element.remove();
    this.bubbles.delete(id);
  }
}
