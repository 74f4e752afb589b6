import { shown, ValidationError } from '../../core/validation';

/*
 * A key's container (a KeyVault, a HyokExternalStore) recognised by what the key constructs use of it, never by
 * `instanceof`: a second copy of this library in node_modules has other class objects. Any construct is not enough:
 * a vault given where a Managed HSM belongs would fail later, far from the prop, with a message about something else.
 */

type Shape = { node?: { path?: unknown }; vaultId?: unknown; _checkSeparation?: unknown; hsmId?: unknown; _createKey?: unknown };

function constructPath(value: unknown): string | undefined {
  const path = typeof value === 'object' && value !== null ? (value as Shape).node?.path : undefined;
  return typeof path === 'string' ? path : undefined;
}

/** A KeyVault: a construct with the vault id and the separation check the key constructs call. */
export function isKeyVault(value: unknown): boolean {
  const v = value as Shape;
  return constructPath(value) !== undefined && typeof v.vaultId === 'string' && typeof v._checkSeparation === 'function';
}

/** A HyokExternalStore: a construct with the Managed HSM id and the key factory the key constructs call. */
export function isHsmStore(value: unknown): boolean {
  const h = value as Shape;
  return constructPath(value) !== undefined && typeof h.hsmId === 'string' && typeof h._createKey === 'function';
}

/** How a wrong value appears: a construct by its path (its JSON is cyclic), anything else as `shown` shows it. */
export function received(value: unknown): string {
  const path = constructPath(value);
  return path === undefined ? shown(value) : `the construct ${path}`;
}

/** A KeyVault prop, when given. */
export function optionalKeyVault(prop: string, value: unknown): void {
  if (value !== undefined && value !== null && !isKeyVault(value)) throw new ValidationError(`${prop} must be a KeyVault, got ${received(value)}`);
}

/** A HyokExternalStore prop, when given. */
export function optionalHsmStore(prop: string, value: unknown): void {
  if (value !== undefined && value !== null && !isHsmStore(value)) {
    throw new ValidationError(`${prop} must be a HyokExternalStore, got ${received(value)}`);
  }
}
