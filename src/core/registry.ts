/** One entry of a {@link Registry}: what was registered and who registered it. */
export interface Registered<T> {
  value: T;
  /** `built-in`, or the file (config, recorded profile) that declared it. */
  source: string;
}

/** How a registry checks names: a pattern and the rule it states, for the error. */
export interface NameRule {
  pattern: RegExp;
  /** Completes "… name `x` must …": `be 1-64 letters, digits, _ or -`. */
  rule: string;
}

/**
 * Things by name — executors, tools, suites, frameworks — registered by built-ins and configs through the same
 * call. Registering the same object again is a no-op; another one under a taken name is refused.
 */
export class Registry<T> {
  readonly #entries = new Map<string, Registered<T>>();

  /** `kind` names an entry in messages (`executor`, `tool`). */
  constructor(
    readonly kind: string,
    private readonly names_?: NameRule,
  ) {}

  register(name: string, value: T, source: string): void {
    const existing = this.#entries.get(name);
    if (existing?.value === value) return;
    if (existing)
      throw new Error(`${this.kind} \`${name}\` is already defined (${existing.source}); pick another name`);
    if (this.names_ && !this.names_.pattern.test(name)) {
      throw new Error(`${this.kind} name \`${name}\` must ${this.names_.rule}`);
    }
    this.#entries.set(name, { value, source });
  }

  get(name: string): T | undefined {
    return this.#entries.get(name)?.value;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** `built-in`, or the file that declared it; undefined for an unknown name. */
  source(name: string): string | undefined {
    return this.#entries.get(name)?.source;
  }

  /** Names in registration order (built-ins first). */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Entries in registration order (built-ins first). */
  entries(): [string, Registered<T>][] {
    return [...this.#entries.entries()];
  }

  values(): T[] {
    return [...this.#entries.values()].map((entry) => entry.value);
  }
}
