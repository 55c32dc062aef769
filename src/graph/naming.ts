/**
 * Hands out names that are unique within one graph. Automatic names are
 * `<hint>_<n>` with one counter for the whole graph (`conv_0`, `relu_1`, …),
 * so a name also tells where in the graph a value was made.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();
  /** Claim order, so that a failed node can give its names back. */
  private readonly log: string[] = [];
  private counter = 0;

  /** A point to {@link rollback} to: used when shape inference rejects a node, so the failure leaves no gap. */
  mark(): { readonly counter: number; readonly claimed: number } {
    return { counter: this.counter, claimed: this.log.length };
  }

  rollback(mark: { readonly counter: number; readonly claimed: number }): void {
    for (const name of this.log.splice(mark.claimed)) this.taken.delete(name);
    this.counter = mark.counter;
  }

  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  /** Claims `name` exactly; throws if it is already in use. */
  claim(name: string, what: string): string {
    if (name === '') throw new Error(`${what}: a name must not be empty`);
    if (this.taken.has(name)) throw new Error(`${what}: name "${name}" is already used in this graph`);
    return this.take(name);
  }

  /** `<hint>_<n>`, skipping any that a caller has claimed explicitly. */
  next(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.taken.has(name));
    return this.take(name);
  }

  /** `hint` itself when free (a name the caller asked for), else `<hint>_<n>`. */
  preferred(hint: string): string {
    return !this.taken.has(hint) && hint !== '' ? this.take(hint) : this.next(hint);
  }

  private take(name: string): string {
    this.taken.add(name);
    this.log.push(name);
    return name;
  }
}

/** `MaxPool` → `max_pool`, `MatMul` → `mat_mul`: the hint for automatic names. */
export function snakeCase(opType: string): string {
  return opType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
