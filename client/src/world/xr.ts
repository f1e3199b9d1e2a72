/**
 * WebXR: an "Enter VR" button when the browser offers immersive-vr, controller rays
 * for pointing, and teleport locomotion (trigger on the floor moves you there; on a
 * product stand it opens the product).
 */

import {
  BufferGeometry,
  Float32BufferAttribute,
  Group,
  Line,
  LineBasicMaterial,
  Matrix4,
  Raycaster,
  WebGLRenderer,
} from "three";

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
