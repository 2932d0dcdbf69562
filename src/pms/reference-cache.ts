/**
 * A short-lived cache for reference data (appointment types, providers, locations): a receptionist
 * bot asks for them on nearly every turn and they change rarely. Concurrent misses for the same key
 * share one load; failed loads are forgotten so the next call tries again.
 */
export class ReferenceCache {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The cached value for `key`, or the result of `load` (shared with concurrent callers). */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return Promise.resolve(entry.value as T);

    const pending = this.loading.get(key);
    if (pending) return pending as Promise<T>;

    const started = load().then(
      (value) => {
        this.loading.delete(key);
        if (this.ttlMs > 0) this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, started);
    return started;
  }

  clear(): void {
    this.entries.clear();
  }
}
