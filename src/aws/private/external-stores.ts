/**
 * The `HyokExternalStore`s constructed so far. A key in a store checks its store against this set rather than with
 * `instanceof`, so the key's module does not import the store's (the store's `addKey` imports the key's).
 */
const STORES = new WeakSet<object>();

export function markExternalStore(store: object): void {
  STORES.add(store);
}

export function isExternalStore(value: unknown): boolean {
  return typeof value === 'object' && value !== null && STORES.has(value);
}
