/**
 * Textures painted in code on a canvas (nothing is downloaded): the floor's large
 * tiles, the walls' panels, the soft contact shadow under cars and people, and crisp
 * text for signs. Each call returns a new texture that its caller disposes.
 */

import { CanvasTexture, ClampToEdgeWrapping, LinearMipmapLinearFilter, RepeatWrapping, SRGBColorSpace } from "three";

function canvas(width: number, height: number): [HTMLCanvasElement, CanvasRenderingContext2D | null] {
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  // Painted once on the CPU: an accelerated canvas would be drawn by the GPU process
  // (software-rendered without a GPU, compiling a pipeline for each new kind of shape)
  // and then copied back for the texture upload.
  return [c, c.getContext("2d", { willReadFrequently: true })];
}

function shade(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const f = (v: number): number => Math.max(0, Math.min(255, Math.round(v * (1 + amount))));
  return `rgb(${f((n >> 16) & 255)} ${f((n >> 8) & 255)} ${f(n & 255)})`;
}

/** Large-format stone tiles (1.2 m, two per texture repeat), with faint veining and joints. */
export function floorTexture(color: string, anisotropy: number): CanvasTexture {
  const size = 512;
  const [c, g] = canvas(size, size);
  if (g) {
    g.fillStyle = color;
    g.fillRect(0, 0, size, size);
    // a deterministic mottle, so every visit (and every screenshot) looks the same
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 900; i += 1) {
      g.fillStyle = shade(color, (rnd() - 0.5) * 0.07);
      g.globalAlpha = 0.35;
      const r = 6 + rnd() * 26;
      g.beginPath();
      g.ellipse(rnd() * size, rnd() * size, r * 2, r, rnd() * Math.PI, 0, Math.PI * 2);
      g.fill();
    }
    g.globalAlpha = 1;
    g.strokeStyle = shade(color, -0.22);
    g.lineWidth = 2;
    for (const at of [0, size / 2]) {
      g.strokeRect(at + 1, -2, 0, size + 4);
      g.beginPath();
      g.moveTo(0, at + 1);
      g.lineTo(size, at + 1);
      g.stroke();
      g.beginPath();
      g.moveTo(at + 1, 0);
      g.lineTo(at + 1, size);
      g.stroke();
    }
  }
  const t = new CanvasTexture(c);
  t.colorSpace = SRGBColorSpace;
  t.wrapS = t.wrapT = RepeatWrapping;
  t.anisotropy = anisotropy;
  return t;
}

/** Vertical wall panels with shadow gaps, 1.5 m wide. */
export function wallTexture(color: string): CanvasTexture {
  const [c, g] = canvas(256, 256);
  if (g) {
    const grad = g.createLinearGradient(0, 0, 256, 0);
    grad.addColorStop(0, shade(color, -0.03));
    grad.addColorStop(0.5, color);
    grad.addColorStop(1, shade(color, -0.03));
    g.fillStyle = grad;
    g.fillRect(0, 0, 256, 256);
    g.fillStyle = shade(color, -0.25);
    g.fillRect(0, 0, 3, 256);
  }
  const t = new CanvasTexture(c);
  t.colorSpace = SRGBColorSpace;
  t.wrapS = t.wrapT = RepeatWrapping;
  return t;
}

/** A soft dark disc fading to nothing: the contact shadow laid under cars and people. */
export function contactShadowTexture(): CanvasTexture {
  const [c, g] = canvas(128, 128);
  if (g) {
    const grad = g.createRadialGradient(64, 64, 0, 64, 64, 64);
    grad.addColorStop(0, "rgb(0 0 0 / 62%)");
    grad.addColorStop(0.45, "rgb(0 0 0 / 38%)");
    grad.addColorStop(1, "rgb(0 0 0 / 0%)");
    g.fillStyle = grad;
    g.fillRect(0, 0, 128, 128);
  }
  const t = new CanvasTexture(c);
  t.wrapS = t.wrapT = ClampToEdgeWrapping;
  return t;
}

/**
 * A sign: text painted with fillText at 1024 x 256 (never parsed), light on the brand's
 * dark panel, with an accent rule and, for the brand's own name, its mark on the left.
 */
export function signTexture(text: string, accent: string, withMark: boolean, anisotropy: number): CanvasTexture {
  const w = 1024;
  const h = 256;
  const [c, g] = canvas(w, h);
  if (g) {
    g.fillStyle = "#151a22";
    g.beginPath();
    g.roundRect(0, 0, w, h, 28);
    g.fill();
    g.fillStyle = accent;
    g.fillRect(64, h - 46, w - 128, 6);
    let left = w / 2;
    if (withMark) {
      paintMark(g, 150, h / 2 - 12, 70, accent);
      left = w / 2 + 70;
    }
    g.fillStyle = "#f5f3ee";
    g.textAlign = "center";
    g.textBaseline = "middle";
    let px = 112;
    g.font = `600 ${px}px system-ui, sans-serif`;
    const room = withMark ? w - 330 : w - 120;
    while (px > 40 && g.measureText(text).width > room) {
      px -= 6;
      g.font = `600 ${px}px system-ui, sans-serif`;
    }
    g.fillText(text, left, h / 2 - 12, room);
  }
  const t = new CanvasTexture(c);
  t.colorSpace = SRGBColorSpace;
  t.anisotropy = anisotropy;
  t.minFilter = LinearMipmapLinearFilter;
  return t;
}

/** The brand's mark: a rising arc over a horizon line, in its accent colour. */
export function paintMark(g: CanvasRenderingContext2D, x: number, y: number, r: number, accent: string): void {
  g.save();
  g.lineCap = "round";
  g.strokeStyle = accent;
  g.lineWidth = r * 0.2;
  g.beginPath();
  g.arc(x, y + r * 0.35, r, Math.PI * 1.08, Math.PI * 1.92);
  g.stroke();
  g.strokeStyle = "#f5f3ee";
  g.lineWidth = r * 0.12;
  g.beginPath();
  g.arc(x, y + r * 0.35, r * 0.55, Math.PI * 1.12, Math.PI * 1.88);
  g.stroke();
  g.beginPath();
  g.moveTo(x - r * 1.05, y + r * 0.6);
  g.lineTo(x + r * 1.05, y + r * 0.6);
  g.stroke();
  g.restore();
}
