/** For tests only (they run in Node, without a DOM): stands in for ui/dom, with just enough of an
 * element for the views to build themselves and for a test to read what they show. */

type Child = FakeElement | string;

export class FakeElement {
  readonly children: Child[] = [];
  readonly attributes = new Map<string, string>();
  hidden = false;
  value = "";
  checked = false;
  disabled = false;
  private readonly listeners = new Map<string, (() => void)[]>();

  constructor(readonly tagName: string) {}

  get textContent(): string {
    return this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }

  set textContent(text: string) {
    this.children.length = 0;
    if (text) this.children.push(text);
  }

  append(...nodes: (Child | null | undefined)[]): void {
    for (const node of nodes) if (node !== null && node !== undefined) this.children.push(node);
  }

  replaceChildren(...nodes: Child[]): void {
    this.children.length = 0;
    this.append(...nodes);
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** What a user's click (or other event) would run. */
  dispatch(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }

  focus(): void {}
  scrollIntoView(): void {}

  querySelector(): null {
    return null;
  }

  querySelectorAll(): FakeElement[] {
    return [];
  }

  /** Every element below this one with the attribute (set to `value`, if given), in document order. */
  all(attribute: string, value?: string): FakeElement[] {
    const found: FakeElement[] = [];
    for (const child of this.children) {
      if (typeof child === "string") continue;
      const actual = child.getAttribute(attribute);
      if (actual !== null && (value === undefined || actual === value)) found.push(child);
      found.push(...child.all(attribute, value));
    }
    return found;
  }
}

export function el(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: (Child | null | undefined)[]): FakeElement {
  const node = new FakeElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
    if (name === "value") node.value = String(value);
  }
  node.append(...children);
  return node;
}

export function clear(node: FakeElement): void {
  node.children.length = 0;
}
