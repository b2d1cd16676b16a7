// Tiny DOM helpers for the chat client. They only ever set text and attributes — never HTML —
// so anything from the server can flow through them safely.

/** What {@link el} may set on a new element. */
export interface ElementOptions {
  /** Space-separated class names. */
  className?: string;
  /** Text content, set as a text node. */
  text?: string;
  /** Attributes to set. Names must be constants from our own code; values may be untrusted. */
  attrs?: Readonly<Record<string, string>>;
  /** Children to append in order; `null`/`undefined` entries are skipped to ease conditional markup. */
  children?: ReadonlyArray<Node | string | null | undefined>;
}

/**
 * Creates an element with text, attributes and children — the one way the client builds markup.
 * Strings among `children` become text nodes.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    // Event-handler attributes would turn data into code; refuse them outright.
    if (/^on/i.test(name)) throw new Error(`refusing to set event attribute "${name}"`);
    element.setAttribute(name, value);
  }
  if (options.text !== undefined) element.append(document.createTextNode(options.text));
  for (const child of options.children ?? []) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * Returns the element with `id`, checked to be of the expected class.
 * @throws Error when it is missing or of another kind — a broken page should fail loudly, not half-work.
 */
export function requireElement<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`page is missing #${id}`);
  return element;
}

/**
 * Returns the first element under `root` matching `selector`, checked to be of the expected class.
 * @throws Error when it is missing or of another kind, naming `owner` (the component that needs it).
 */
export function requirePart<T extends Element>(root: ParentNode, selector: string, kind: { new (): T; prototype: T }, owner: string): T {
  const found = root.querySelector(selector);
  if (!(found instanceof kind)) throw new Error(`${owner} is missing ${selector}`);
  return found;
}

/** True when the user asked the system for less motion; used to pick instant over smooth scrolling. */
export function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/** The scroll behaviour that respects the user's motion preference. */
export function scrollBehavior(): ScrollBehavior {
  return prefersReducedMotion() ? 'auto' : 'smooth';
}
