/**
 * The 3D view: renderer, camera, the store built from the layout, avatar views, the
 * product twins on their stands and the inspector. It mirrors the world state into
 * the scene once per frame (after the systems ran) and renders; it owns no game state.
 */

import {
  Box3,
  Color,
  type Material,
  Fog,
  Group,
  Mesh,
  MeshBasicMaterial,
  Object3D,
  PerspectiveCamera,
  PlaneGeometry,
  Raycaster,
  Scene,
  SphereGeometry,
  Sphere,
  Texture,
  Vector2,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import type { Product } from "../api/catalog";
import type { StoreLayout } from "../api/brand";
import type { TwinLook } from "../product/configurator";
import { applyLook, disposeTwin, loadTwin, materialColor, partPosition, setLodDistance, type Twin } from "../product/twin";
import { Crowd, TAG_DISTANCE } from "./crowd";
import { BubbleLayer } from "./bubbles";
import type { InputState } from "./input";
import type { WorldState } from "./state";
import { createShot, framingDistance, overShoulder, threeQuarter } from "./framing";
import { Lighting } from "./lighting";
import { MatteMaterials } from "./matte";
import { isSoftwareRenderer, type Tier } from "./quality";
import { buildStore, type StandView, type StoreScene } from "./storeScene";
import { contactShadowTexture } from "./textures";
import { controllerRays, enterVr, exitVr, XrPoseSource } from "./xr";

const TWIN_MAX_SIZE = 4.6;
const FOV = 55;

export interface StageHooks {
  onStandClick(productSlug: string): void;
}

export class Stage {
  readonly canvas: HTMLCanvasElement;
  readonly renderer: WebGLRenderer;
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(FOV, 1, 0.1, 200);
  readonly rig = new Group();
  readonly bubbles = new BubbleLayer();
  readonly store: StoreScene;
  readonly twins = new Map<string, Twin>();
  readonly crowd: Crowd;
  /** The headset's head and hand poses (nothing outside VR). */
  readonly poses: XrPoseSource;
  inspecting: string | null = null;
  inVr = false;
  readonly lighting: Lighting;
  /** The low tier's matte stand-ins for the physically based materials. */
  readonly matte = new MatteMaterials();
  tier: Tier;
  private pitch = 0.16;
  private readonly shot = createShot();
  private readonly shadowTexture: Texture;
  private readonly shadowGeometry = new PlaneGeometry(1, 1).rotateX(-Math.PI / 2);
  private readonly shadowMaterial: MeshBasicMaterial;
  private readonly orbit: OrbitControls;
  private readonly raycaster = new Raycaster();
  private readonly pointer = new Vector2();
  private readonly marker: Mesh;
  private readonly focus = new Vector3();
  private readonly scratch = new Vector3();
  private disposeXr: () => void = () => undefined;

  constructor(
    gl: GlCanvas,
    layout: StoreLayout,
    private readonly world: WorldState,
    private readonly input: InputState,
    private readonly hooks: StageHooks,
    quality: { tier: Tier; pixelRatio: number; brandName: string },
  ) {
    this.canvas = gl.canvas;
    this.renderer = new WebGLRenderer({ canvas: gl.canvas, context: gl.context });
    this.renderer.setPixelRatio(quality.pixelRatio);
    this.renderer.xr.enabled = true;
    // Checking each shader after linking is a synchronous round trip to the GPU process,
    // which blocked the page for seconds under software rendering (shader errors are a
    // development concern; the browser console still reports them).
    this.renderer.debug.checkShaderErrors = false;
    // Beyond the walls: the ceiling's warm dark, fading into it with distance.
    this.scene.background = new Color("#2b2a27");
    this.scene.fog = new Fog("#2b2a27", 45, 90);
    this.tier = quality.tier;
    const stands = layout.zones.flatMap((z) => z.stands);
    const focus = stands.length
      ? { x: (Math.min(...stands.map((s) => s.x)) + Math.max(...stands.map((s) => s.x))) / 2, z: (Math.min(...stands.map((s) => s.z)) + Math.max(...stands.map((s) => s.z))) / 2, half: 16 }
      : { x: 0, z: 0, half: 16 };
    this.lighting = new Lighting(this.renderer, this.scene, focus);
    this.lighting.apply(quality.tier);
    this.shadowTexture = contactShadowTexture();
    this.shadowMaterial = new MeshBasicMaterial({ map: this.shadowTexture, transparent: true, depthWrite: false, toneMapped: false });
    this.store = buildStore(layout, { brandName: quality.brandName, anisotropy: Math.min(quality.tier.anisotropy, this.renderer.capabilities.getMaxAnisotropy()) });
    this.matte.set(quality.tier.matte, this.store.root);
    this.scene.add(this.store.root, this.rig);
    this.rig.add(this.camera);
    this.crowd = new Crowd(this.shadowTexture);
    this.crowd.lodDistance = quality.tier.crowdLodDistance;
    this.scene.add(this.crowd.group);
    this.marker = new Mesh(new SphereGeometry(0.12, 16, 12), new MeshBasicMaterial({ color: layout.accent_color, depthTest: false, transparent: true, opacity: 0.9 }));
    this.marker.renderOrder = 10;
    this.marker.visible = false;
    this.scene.add(this.marker);
    this.orbit = new OrbitControls(this.camera, gl.canvas);
    this.orbit.enabled = false;
    this.orbit.enableDamping = true;
    this.orbit.minDistance = 2;
    this.orbit.maxDistance = 14;
    this.orbit.maxPolarAngle = Math.PI * 0.49;
    this.disposeXr = controllerRays(this.renderer, this.rig, {
      onSelect: (ray) => this.pick(ray),
      onSessionChange: (active) => (this.inVr = active),
    });
    this.poses = new XrPoseSource(this.renderer, this.camera);
    this.deferUnlit();
  }

  // ------------------------------------------------------------ warm-up

  /**
   * Unlit materials (signs, stand labels, light strips, name tags, contact shadows,
   * speaking rings, the hotspot marker), grouped by the shader program they will need,
   * held back from the first frames. Without parallel shader compilation (software
   * renderers) every program is compiled and linked while the page waits at its first
   * use, so the first frame draws only the lit surfaces and the people (three or four
   * programs), the world's welcome is handled and the visitor can move; then one group
   * appears per frame. Where the browser compiles in parallel, all of them are compiled
   * in the background and appear together once ready.
   */
  private readonly deferred: Material[][] = [];
  private warmFrames = 0;
  private warmStarted = 0;
  private compilingInBackground = false;

  private deferUnlit(): void {
    const groups = new Map<string, Material[]>();
    const hold = (material: Material, instanced: boolean): void => {
      const basic = material as MeshBasicMaterial;
      if (!(basic.isMeshBasicMaterial || (material as { isSpriteMaterial?: boolean }).isSpriteMaterial) || !material.visible) return;
      const key = `${material.type}|${basic.map ? "map" : ""}|${material.transparent}|${material.toneMapped}|${instanced}`;
      const group = groups.get(key) ?? [];
      if (!group.includes(material)) group.push(material);
      groups.set(key, group);
    };
    this.scene.traverse((node) => {
      const drawn = node as Mesh;
      if (!drawn.isMesh && !(node as { isSprite?: boolean }).isSprite) return;
      for (const m of Array.isArray(drawn.material) ? drawn.material : [drawn.material]) hold(m, (node as { isInstancedMesh?: boolean }).isInstancedMesh === true);
    });
    hold(this.shadowMaterial, false); // under the twins, which arrive later
    for (const group of groups.values()) {
      for (const m of group) m.visible = false;
      this.deferred.push(group);
    }
  }

  /** Shows every held-back material now (before rendering product photos, say). */
  revealAll(): void {
    for (const group of this.deferred.splice(0)) for (const m of group) m.visible = true;
  }

  private warmUp(now: number): void {
    if (!this.deferred.length || this.compilingInBackground) return;
    if (this.warmStarted === 0) this.warmStarted = now;
    // after the first frame drawn once the world welcomed us (or 5 s, offline)
    if (this.world.welcomed > 0) this.warmFrames += 1;
    if (this.warmFrames < 2 && now - this.warmStarted < 5) return;
    if (this.renderer.extensions.has("KHR_parallel_shader_compile")) {
      this.compilingInBackground = true;
      void this.renderer.compileAsync(this.scene, this.camera).finally(() => {
        this.compilingInBackground = false;
        this.revealAll();
      });
      return;
    }
    for (const m of this.deferred.shift() ?? []) m.visible = true;
  }

  private width = 1;
  private height = 1;
  /** Pixels the view's centre moves left while the product panel covers the right side. */
  private shift = 0;

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / Math.max(height, 1);
    this.applyShift();
  }

  private applyShift(): void {
    const d = Math.min(this.shift, this.width / 4);
    if (d > 0) this.camera.setViewOffset(this.width + 2 * d, this.height, 2 * d, 0, this.width, this.height);
    else this.camera.clearViewOffset();
    this.camera.updateProjectionMatrix();
  }

  // ------------------------------------------------------------ products

  async loadProducts(products: readonly Product[]): Promise<void> {
    const bySlug = new Map(products.map((p) => [p.slug, p]));
    await Promise.all(
      this.store.stands.map(async (view) => {
        const product = view.stand.product_slug ? bySlug.get(view.stand.product_slug) : undefined;
        if (!product?.assetUrl || this.twins.has(product.slug)) return;
        try {
          const twin = await loadTwin(product.assetUrl, TWIN_MAX_SIZE, this.tier.lodDistance);
          twin.root.userData.productSlug = product.slug;
          // the soft contact shadow: a little larger than the twin's footprint
          const box = new Box3().setFromObject(twin.root);
          twin.root.userData.radius = box.getSize(this.scratch).length() / 2;
          const contact = new Mesh(this.shadowGeometry, this.shadowMaterial);
          contact.scale.set((box.max.x - box.min.x) * 1.25 + 0.3, 1, (box.max.z - box.min.z) * 1.15 + 0.3);
          contact.position.y = 0.005;
          contact.renderOrder = -1;
          twin.root.add(contact);
          this.matte.apply(twin.root);
          view.anchor.add(twin.root);
          this.twins.set(product.slug, twin);
        } catch (error) {
          console.warn(`digital twin of ${product.slug} not loaded`, error);
        }
      }),
    );
    this.lighting.refreshShadows();
  }

  applyLook(slug: string, look: TwinLook): void {
    const twin = this.twins.get(slug);
    if (twin) applyLook(twin, look);
    this.lighting.refreshShadows(); // swapped or shown parts change the shadow
  }

  /** A new quality tier: shadows, and how near twins must be to be drawn in full. */
  setTier(tier: Tier): void {
    this.tier = tier;
    this.lighting.apply(tier);
    this.matte.set(tier.matte, this.store.root, ...[...this.twins.values()].map((t) => t.root));
    this.crowd.lodDistance = tier.crowdLodDistance;
    for (const twin of this.twins.values()) setLodDistance(twin, tier.lodDistance);
    this.store.setAnisotropy(Math.min(tier.anisotropy, this.renderer.capabilities.getMaxAnisotropy()));
  }

  materialColor(slug: string, name: string): string | null {
    const twin = this.twins.get(slug);
    return twin ? materialColor(twin, name) : null;
  }

  /**
   * Photos of the products on their stands, from the same three-quarter the inspector
   * uses, for the 2D mode's product list: rendered once into this canvas (people
   * hidden), cropped to 4:3 and encoded as JPEG data URLs. The next frame draws the
   * normal view again.
   */
  productPhotos(width = 480, height = 360): Map<string, string> {
    this.revealAll(); // the contact shadows under the twins
    const photos = new Map<string, string>();
    const out = document.createElement("canvas");
    out.width = width;
    out.height = height;
    const g = out.getContext("2d");
    if (!g) return photos;
    const crowd = this.crowd.group.visible;
    this.crowd.group.visible = false;
    const saved = this.camera.position.clone();
    const quaternion = this.camera.quaternion.clone();
    const rig = this.rig.position.clone();
    this.rig.position.set(0, 0, 0);
    this.rig.updateMatrixWorld();
    for (const [slug, twin] of this.twins) {
      const stand = this.standOf(slug);
      if (!stand) continue;
      const centre = new Box3().setFromObject(twin.root).getCenter(new Vector3());
      const radius = (twin.root.userData.radius as number | undefined) ?? 2.4;
      const w = this.canvas.width;
      const h = this.canvas.height;
      const cropW = Math.min(w, (h * width) / height);
      const distance = framingDistance(radius * 0.85, FOV, cropW, h, 0);
      const shot = threeQuarter(centre.x, centre.y, centre.z, stand.group.rotation.y, distance, this.shot);
      this.camera.position.set(shot.px, shot.py, shot.pz);
      this.camera.lookAt(centre);
      this.camera.updateMatrixWorld();
      this.renderer.render(this.scene, this.camera);
      g.drawImage(this.canvas, (w - cropW) / 2, 0, cropW, h, 0, 0, width, height);
      photos.set(slug, out.toDataURL("image/jpeg", 0.85));
    }
    this.camera.position.copy(saved);
    this.camera.quaternion.copy(quaternion);
    this.rig.position.copy(rig);
    this.crowd.group.visible = crowd;
    return photos;
  }

  /** Where a product's stand is on screen (client pixels), or null when not in view. */
  standOnScreen(slug: string): { x: number; y: number } | null {
    const stand = this.standOf(slug);
    if (!stand) return null;
    const p = stand.podium.getWorldPosition(this.scratch).project(this.camera);
    if (p.z > 1 || Math.abs(p.x) > 1 || Math.abs(p.y) > 1) return null;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + ((p.x + 1) / 2) * rect.width, y: rect.top + ((1 - p.y) / 2) * rect.height };
  }

  /** Marks the stand of the visitor's first suggestion: its sign lit and raised. */
  highlightStand(slug: string | null): void {
    for (const view of this.store.stands) {
      const on = slug !== null && view.stand.product_slug === slug;
      view.label.material.color.set(on ? 0xffd166 : 0xffffff);
      view.label.scale.set(on ? 2.9 : 2.2, on ? 0.72 : 0.55, 1);
      view.label.position.y = on ? 3.4 : 3.1;
      view.group.userData.recommended = on;
    }
  }

  private standOf(slug: string): StandView | undefined {
    return this.store.stands.find((s) => s.stand.product_slug === slug);
  }

  /**
   * Focus mode: the camera frames the product in the part of the view the panel leaves
   * free (its centre moves left by half the panel), from the product's front
   * three-quarter; then it orbits (drag to turn, wheel or pinch to zoom).
   */
  inspect(slug: string, panelWidth = 0): void {
    const stand = this.standOf(slug);
    if (!stand) return;
    this.inspecting = slug;
    this.shift = panelWidth / 2;
    this.applyShift();
    const twin = this.twins.get(slug);
    const bounds = new Sphere();
    if (twin) {
      new Box3().setFromObject(twin.root).getCenter(bounds.center);
      // the box's half diagonal, measured without the contact shadow
      bounds.radius = (twin.root.userData.radius as number | undefined) ?? 2.4;
    } else bounds.set(stand.anchor.getWorldPosition(new Vector3()).setY(1), 2.4);
    this.focus.copy(bounds.center);
    const covered = Math.min(panelWidth, this.width / 2);
    // a car seen from its three-quarter is narrower than its bounding sphere: fill a little more
    const distance = framingDistance(bounds.radius * 0.85, FOV, this.width, this.height, covered);
    const facing = stand.group.rotation.y;
    const s = threeQuarter(this.focus.x, this.focus.y, this.focus.z, facing, distance, this.shot);
    this.rig.position.set(0, 0, 0);
    this.rig.rotation.set(0, 0, 0);
    this.camera.position.set(s.px, s.py, s.pz);
    this.orbit.target.copy(this.focus);
    this.orbit.minDistance = bounds.radius * 1.1;
    this.orbit.maxDistance = Math.max(distance * 1.8, 6);
    this.orbit.enabled = true;
    this.orbit.update();
    this.input.keys.clear();
  }

  endInspect(): void {
    this.inspecting = null;
    this.shift = 0;
    this.applyShift();
    this.orbit.enabled = false;
    this.marker.visible = false;
  }

  /** Puts the hotspot marker on a named part of the inspected product and turns towards it. */
  showHotspot(part: string | null): void {
    const twin = this.inspecting ? this.twins.get(this.inspecting) : undefined;
    if (!twin || !part || !partPosition(twin, part, this.marker.position)) {
      this.marker.visible = false;
      return;
    }
    // the marker shows the part; the camera keeps the whole product framed
    this.marker.visible = true;
  }

  // ------------------------------------------------------------ picking

  clickAt(clientX: number, clientY: number): void {
    if (this.inspecting) return;
    const rect = this.canvas.getBoundingClientRect();
    this.pointer.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.raycaster.setFromCamera(this.pointer, this.camera);
    this.pick(this.raycaster);
  }

  private readonly pickables: Object3D[] = [];

  private pick(raycaster: Raycaster): void {
    const targets = this.pickables;
    targets.length = 0;
    for (const s of this.store.stands) targets.push(s.podium, s.anchor);
    for (const f of this.store.floors) targets.push(f);
    const hit = raycaster.intersectObjects(targets, true)[0];
    if (!hit) return;
    let node: Object3D | null = hit.object;
    while (node) {
      const slug = (node.userData.productSlug as string | undefined) ?? this.slugOfPodium(node);
      if (slug) {
        this.hooks.onStandClick(slug);
        return;
      }
      node = node.parent;
    }
    if (this.store.floors.includes(hit.object as Mesh)) {
      if (this.inVr) {
        // teleport: the prediction jumps (inside the room), the network pose follows at walking speed
        const b = this.world.bounds;
        this.world.local.pose.x = Math.min(b[3], Math.max(b[0], hit.point.x));
        this.world.local.pose.z = Math.min(b[5], Math.max(b[2], hit.point.z));
        this.world.local.dirty = true;
      } else {
        this.input.walkTo.active = true;
        this.input.walkTo.x = hit.point.x;
        this.input.walkTo.z = hit.point.z;
      }
    }
  }

  private slugOfPodium(node: Object3D): string | undefined {
    const standId = node.userData.standId as string | undefined;
    if (!standId) return undefined;
    return this.store.stands.find((s) => s.stand.id === standId)?.stand.product_slug ?? undefined;
  }

  async enterVr(): Promise<void> {
    this.endInspect();
    await enterVr(this.renderer, { onSelect: (r) => this.pick(r), onSessionChange: (active) => (this.inVr = active) });
  }

  exitVr(): void {
    exitVr(this.renderer);
  }

  // ------------------------------------------------------------ per frame

  /** Views follow the world state, then the camera, bubbles and the render. */
  render(now: number): void {
    this.syncViews();
    this.poseAvatars(now);
    this.placeCamera();
    this.rig.updateMatrixWorld(); // the camera's world matrix, for the name tags to face it
    this.crowd.faceTags(this.camera);
    this.placeBubbles(now);
    this.warmUp(now);
    this.renderer.render(this.scene, this.camera);
  }

  private syncViews(): void {
    const world = this.world;
    for (const id of world.removed) {
      this.crowd.drop(id);
      this.bubbles.drop(id);
    }
    world.removed.length = 0;
    world.added.length = 0; // the crowd draws whoever is in the world state
  }

  /** Draw nobody (reference images of the store compare the place, not who is in it). */
  avatarsHidden = false;

  private poseAvatars(now: number): void {
    const world = this.world;
    const crowd = this.crowd;
    const local = world.local;
    // where the camera was last frame (it moves little in one frame)
    crowd.viewer.x = this.camera.matrixWorld.elements[12];
    crowd.viewer.z = this.camera.matrixWorld.elements[14];
    crowd.begin(world.avatars.size + 1);
    for (const a of world.avatars.values()) {
      if (this.avatarsHidden) continue;
      const near = a.inView && Math.hypot(a.pose.x - local.pose.x, a.pose.z - local.pose.z) < TAG_DISTANCE;
      crowd.tag(a.id, a.name, a.badge, a.pose.x, a.pose.y, a.pose.z, near);
      if (!a.inView) continue;
      const bounce = now < a.emoteUntil ? Math.abs(Math.sin(now * 8)) * 0.25 : 0;
      const talking = a.bubbleText !== "" && now < a.bubbleUntil;
      crowd.add(a.pose.x, a.pose.y, a.pose.z, a.pose.yaw, a.phase, a.speed, bounce, a.look, talking, now, a.id, a.trackedPoses, a.trackedMask);
    }
    // one's own avatar, without a name tag (in VR one is the camera)
    if (local.id !== null && !this.inVr && !this.avatarsHidden) {
      const talking = local.bubbleText !== "" && now < local.bubbleUntil;
      crowd.add(local.pose.x, local.pose.y, local.pose.z, local.pose.yaw, local.phase, local.speed, 0, local.look, talking, now, local.id);
    }
    crowd.end();
  }

  private placeCamera(): void {
    const local = this.world.local;
    if (this.inVr) {
      this.rig.position.set(local.pose.x, local.pose.y, local.pose.z);
      this.rig.rotation.set(0, local.pose.yaw, 0);
      return;
    }
    if (this.inspecting) {
      this.orbit.update();
      return;
    }
    this.pitch = Math.min(0.9, Math.max(-0.35, this.pitch + this.input.lookDY * 0.004));
    this.input.lookDY = 0;
    // Over the right shoulder, aiming ahead: the avatar stands left of centre and the
    // way ahead stays visible. Near a wall the camera slides in but keeps its
    // direction, so the horizon never jumps.
    const s = overShoulder(local.pose.x, local.pose.y, local.pose.z, local.pose.yaw, this.pitch, this.shot);
    const b = this.world.bounds;
    const x = Math.min(b[3] - 0.4, Math.max(b[0] + 0.4, s.px));
    const z = Math.min(b[5] - 0.4, Math.max(b[2] + 0.4, s.pz));
    this.camera.position.set(x, s.py, z);
    this.scratch.set(s.tx + (x - s.px), s.ty, s.tz + (z - s.pz));
    this.camera.lookAt(this.scratch);
  }

  private placeBubbles(now: number): void {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    for (const a of this.world.avatars.values()) {
      this.bubbles.place(a.id, a.inView ? a.bubbleText : "", a.bubbleUntil, now, a.pose.x, a.pose.y, a.pose.z, this.camera, w, h);
    }
    const local = this.world.local;
    if (local.id !== null) this.bubbles.place(local.id, local.bubbleText, local.bubbleUntil, now, local.pose.x, local.pose.y, local.pose.z, this.camera, w, h);
  }

  relabel(): void {
    this.store.relabel();
  }

  dispose(): void {
    this.renderer.setAnimationLoop(null);
    this.disposeXr();
    this.orbit.dispose();
    this.crowd.dispose();
    this.matte.set(false, ...[...this.twins.values()].map((t) => t.root)); // the originals are what a twin frees
    for (const twin of this.twins.values()) disposeTwin(twin);
    this.twins.clear();
    this.marker.geometry.dispose();
    this.shadowGeometry.dispose();
    this.shadowMaterial.dispose();
    this.shadowTexture.dispose();
    this.lighting.dispose();
    this.matte.dispose();
    (this.marker.material as MeshBasicMaterial).dispose();
    this.store.dispose();
    this.renderer.dispose();
  }
}

export interface GlCanvas {
  canvas: HTMLCanvasElement;
  context: WebGL2RenderingContext;
  /** The browser renders WebGL on the CPU (no GPU, or a blocked one). */
  software: boolean;
}

/**
 * The view's canvas and its WebGL 2 context (what three.js needs), or null when the
 * browser cannot give one (the 2D mode is used then). Creating the first context starts
 * the browser's GPU process, which takes long with software rendering: the page does it
 * once, early, while its first requests are on the network. `antialias` is the wish on
 * a GPU, `softwareAntialias` on a software renderer, where multisampling multiplies the
 * cost of every pixel: when they differ and the renderer turns out to be software, the
 * context is created again without it (the GPU process is running by then: a few
 * milliseconds).
 */
export function createGlCanvas(antialias: boolean, softwareAntialias = antialias): GlCanvas | null {
  try {
    let canvas = document.createElement("canvas");
    let context = webgl2(canvas, antialias);
    if (!context) return null;
    const software = isSoftwareRenderer(rendererName(context));
    if (software && antialias && !softwareAntialias) {
      context.getExtension("WEBGL_lose_context")?.loseContext();
      canvas = document.createElement("canvas");
      context = webgl2(canvas, false);
      if (!context) return null;
    }
    return { canvas, context, software };
  } catch {
    return null;
  }
}

function webgl2(canvas: HTMLCanvasElement, antialias: boolean): WebGL2RenderingContext | null {
  return canvas.getContext("webgl2", {
    antialias,
    alpha: false,
    depth: true,
    stencil: false,
    premultipliedAlpha: true,
    powerPreference: "high-performance",
    preserveDrawingBuffer: true, // screenshots of the view (tests, sharing)
  });
}

/** What the browser says draws its WebGL ("ANGLE (…, SwiftShader Device …)", a GPU's name). */
export function rendererName(gl: WebGL2RenderingContext): string {
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
}
