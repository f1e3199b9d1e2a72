/**
 * WebXR: an "Enter VR" button when the browser offers immersive-vr, controller rays
 * for pointing, teleport locomotion (trigger on the floor moves you there; on a
 * product stand it opens the product), and the head and hand poses the others see.
 */

import {
  BufferGeometry,
  Float32BufferAttribute,
  Group,
  Line,
  LineBasicMaterial,
  Matrix4,
  type Camera,
  type Quaternion,
  Raycaster,
  type Vector3,
  WebGLRenderer,
} from "three";
import { HEAD, LEFT, POSE, RIGHT, type PoseSource } from "./tracked";

export interface XRHooks {
  /** Called with a ray from a controller when its trigger is pressed. */
  onSelect(raycaster: Raycaster): void;
  onSessionChange(active: boolean): void;
}

const rotation = new Matrix4();

export function controllerRays(renderer: WebGLRenderer, rig: Group, hooks: XRHooks): () => void {
  const geometry = new BufferGeometry();
  geometry.setAttribute("position", new Float32BufferAttribute([0, 0, 0, 0, 0, -8], 3));
  const material = new LineBasicMaterial({ color: "#ffffff" });
  const raycaster = new Raycaster();
  const controllers: Group[] = [];
  for (let i = 0; i < 2; i += 1) {
    const controller = renderer.xr.getController(i);
    controller.add(new Line(geometry, material));
    controller.addEventListener("selectstart", () => {
      rotation.identity().extractRotation(controller.matrixWorld);
      raycaster.ray.origin.setFromMatrixPosition(controller.matrixWorld);
      raycaster.ray.direction.set(0, 0, -1).applyMatrix4(rotation);
      hooks.onSelect(raycaster);
    });
    rig.add(controller);
    controllers.push(controller);
  }
  return () => {
    for (const c of controllers) c.removeFromParent();
    geometry.dispose();
    material.dispose();
  };
}

/** Whether this browser can start an immersive VR session. */
export async function vrSupported(): Promise<boolean> {
  const xr = (navigator as Navigator & { xr?: XRSystem }).xr;
  if (!xr) return false;
  try {
    return await xr.isSessionSupported("immersive-vr");
  } catch {
    return false;
  }
}

export async function enterVr(renderer: WebGLRenderer, hooks: XRHooks): Promise<void> {
  const xr = (navigator as Navigator & { xr?: XRSystem }).xr;
  if (!xr) return;
  const session = await xr.requestSession("immersive-vr", { optionalFeatures: ["local-floor", "bounded-floor"] });
  session.addEventListener("end", () => hooks.onSessionChange(false));
  await renderer.xr.setSession(session);
  hooks.onSessionChange(true);
}

export function exitVr(renderer: WebGLRenderer): void {
  void renderer.xr.getSession()?.end();
}

/**
 * The headset's poses in the rig's space, as three.js left them after the last XR
 * frame: the camera holds the head, each controller's target ray a hand (which hand
 * it is comes with its `connected` event). Nothing outside an immersive session.
 */
export class XrPoseSource implements PoseSource {
  private readonly hands: [Group | null, Group | null] = [null, null];

  constructor(
    private readonly renderer: WebGLRenderer,
    private readonly head: Camera,
  ) {
    for (let i = 0; i < 2; i += 1) {
      const controller = renderer.xr.getController(i);
      controller.addEventListener("connected", (event) => {
        if (event.data.handedness === "left") this.hands[0] = controller;
        else if (event.data.handedness === "right") this.hands[1] = controller;
      });
      controller.addEventListener("disconnected", () => {
        if (this.hands[0] === controller) this.hands[0] = null;
        if (this.hands[1] === controller) this.hands[1] = null;
      });
    }
  }

  read(out: Float32Array): number {
    if (!this.renderer.xr.isPresenting) return 0;
    write(out, HEAD, this.head.position, this.head.quaternion);
    let mask = 1 << HEAD;
    const [left, right] = this.hands;
    if (left?.visible) {
      write(out, LEFT, left.position, left.quaternion);
      mask |= 1 << LEFT;
    }
    if (right?.visible) {
      write(out, RIGHT, right.position, right.quaternion);
      mask |= 1 << RIGHT;
    }
    return mask;
  }
}

/** Fixed poses, set from outside (the debug hook: browsers without a headset). */
export class FixedPoseSource implements PoseSource {
  mask = 0;
  readonly poses = new Float32Array(3 * POSE);

  read(out: Float32Array): number {
    out.set(this.poses);
    return this.mask;
  }
}

function write(out: Float32Array, part: number, p: Vector3, q: Quaternion): void {
  const o = part * POSE;
  out[o] = p.x;
  out[o + 1] = p.y;
  out[o + 2] = p.z;
  out[o + 3] = q.x;
  out[o + 4] = q.y;
  out[o + 5] = q.z;
  out[o + 6] = q.w;
}
