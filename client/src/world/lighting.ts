/**
 * Studio lighting for the store: image-based lighting from three.js's RoomEnvironment
 * (pre-filtered by PMREM, generated on the device: nothing is downloaded), ACES filmic
 * tone mapping, one key light whose soft shadow map falls under the cars, and a dim
 * sky/ground fill. The shadow map is static (the light and the cars do not move), so it
 * is redrawn only when asked: twins loaded, a look applied, the tier changed. The
 * environment map is generated the first time a tier asks for it: the low tier never
 * pays for PMREM's shader programs and render passes (seconds under software rendering).
 */

import {
  ACESFilmicToneMapping,
  DirectionalLight,
  HemisphereLight,
  PCFShadowMap,
  PMREMGenerator,
  Scene,
  SRGBColorSpace,
  type Texture,
  type WebGLRenderer,
} from "three";
import { RoomEnvironment } from "three/examples/jsm/environments/RoomEnvironment.js";
import type { Tier } from "./quality";

export class Lighting {
  readonly key = new DirectionalLight("#fff4e6", 2.2);
  readonly fill = new HemisphereLight("#f3f6ff", "#8c8479", 0.45);
  private environmentMap: Texture | null = null;

  constructor(
    private readonly renderer: WebGLRenderer,
    private readonly scene: Scene,
    /** The area whose shadows matter (the product stands): centre and half size, metres. */
    focus: { x: number; z: number; half: number },
  ) {
    renderer.outputColorSpace = SRGBColorSpace;
    renderer.toneMapping = ACESFilmicToneMapping;
    renderer.toneMappingExposure = 0.82;
    renderer.shadowMap.type = PCFShadowMap;
    renderer.shadowMap.autoUpdate = false;
    scene.environmentIntensity = 0.7;
    const key = this.key;
    key.position.set(focus.x + 8, 18, focus.z + 10);
    key.target.position.set(focus.x, 0, focus.z);
    const cam = key.shadow.camera;
    cam.left = -focus.half;
    cam.right = focus.half;
    cam.top = focus.half;
    cam.bottom = -focus.half;
    cam.near = 1;
    cam.far = 45;
    key.shadow.bias = -0.0004;
    key.shadow.normalBias = 0.02;
    key.shadow.radius = 4;
    scene.add(key, key.target, this.fill);
  }

  /**
   * Shadows on or off and their resolution, and image-based lighting or not, as the
   * tier says; without the environment map the sky/ground fill makes up for it.
   */
  apply(tier: Tier): void {
    this.scene.environment = tier.environment ? this.environment() : null;
    this.fill.intensity = tier.environment ? 0.45 : 1.9;
    this.renderer.shadowMap.enabled = tier.shadows;
    this.key.castShadow = tier.shadows;
    if (this.key.shadow.mapSize.x !== tier.shadowMapSize) {
      this.key.shadow.mapSize.set(tier.shadowMapSize, tier.shadowMapSize);
      this.key.shadow.map?.dispose();
      this.key.shadow.map = null;
    }
    this.refreshShadows();
  }

  /** The studio's image-based lighting, generated on first use. */
  environment(): Texture {
    if (!this.environmentMap) {
      const pmrem = new PMREMGenerator(this.renderer);
      const room = new RoomEnvironment();
      this.environmentMap = pmrem.fromScene(room, 0.04).texture;
      room.dispose();
      pmrem.dispose();
    }
    return this.environmentMap;
  }

  refreshShadows(): void {
    this.renderer.shadowMap.needsUpdate = true;
  }

  dispose(): void {
    this.scene.environment = null;
    this.environmentMap?.dispose();
    this.key.shadow.dispose();
    this.key.removeFromParent();
    this.key.target.removeFromParent();
    this.fill.removeFromParent();
  }
}
