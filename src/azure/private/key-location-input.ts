import { isHsmStore, isKeyVault, optionalHsmStore, optionalKeyVault, received } from './container-shape';
import { ValidationError } from '../../core/validation';
import type { HyokExternalStore } from '../hyok-external-store';
import { KeyLocation, KeyLocationKind } from '../key-location';
import type { KeyVault } from '../key-vault';

/*
 * A key construct's location props (`keyLocation`, or the deprecated `vault` / `managedHsm`), apart from the other prop
 * checks: they read `KeyLocation`, whose file names the containers, and private/input.ts imports no construct file.
 */

/** The location props of a key construct: `keyLocation`, or the deprecated `vault` / `managedHsm`. */
export interface KeyLocationInput {
  readonly keyLocation?: KeyLocation;
  readonly vault?: KeyVault;
  readonly managedHsm?: HyokExternalStore;
}

/**
 * The key's location from its props. `keyLocation` with a deprecated `vault` or `managedHsm` is refused by
 * name; the deprecated props alone keep their old meaning and messages.
 */
export function resolveKeyLocation(subject: string, props: KeyLocationInput): KeyLocation {
  const loc = props.keyLocation;
  if (loc === undefined || loc === null) {
    if (props.vault && props.managedHsm) throw new ValidationError(`give either vault or managedHsm for ${subject}, not both`);
    if (props.managedHsm) return KeyLocation.managedHsm(props.managedHsm);
    return props.vault ? KeyLocation.vault(props.vault) : KeyLocation.newVault();
  }
  checkKeyLocationShape(loc);
  for (const prop of ['vault', 'managedHsm'] as const) {
    if (props[prop] !== undefined && props[prop] !== null) {
      throw new ValidationError(`keyLocation and ${prop} both given for ${subject}: give keyLocation only (${prop} is deprecated; ` +
        `use keyLocation: KeyLocation.${prop}(...))`);
    }
  }
  return loc;
}

/**
 * A `keyLocation`, when given, by its shape (never `instanceof`: a second copy of this library has another KeyLocation
 * class): one of the kinds, with the container that kind says.
 */
function checkKeyLocationShape(loc: unknown): void {
  if (loc === undefined || loc === null) return;
  const l = loc as { kind?: unknown; sharedVault?: unknown; hsmStore?: unknown };
  const fits = typeof loc === 'object' && (l.kind === KeyLocationKind.NEW_VAULT
    || (l.kind === KeyLocationKind.VAULT && isKeyVault(l.sharedVault))
    || (l.kind === KeyLocationKind.MANAGED_HSM && isHsmStore(l.hsmStore)));
  if (!fits) {
    throw new ValidationError(`keyLocation must be KeyLocation.newVault(), KeyLocation.vault(...) or KeyLocation.managedHsm(...), got ${received(loc)}`);
  }
}

/**
 * Whether the construct creates a vault of its own. The location props are checked here, before they are read and
 * before any other prop, so that a wrong location is refused by its own name (not as a missing resourceGroupName).
 */
export function locationCreatesVault(props: KeyLocationInput | undefined): boolean {
  checkKeyLocationShape(props?.keyLocation);
  optionalKeyVault('vault', props?.vault);
  optionalHsmStore('managedHsm', props?.managedHsm);
  if (props?.vault || props?.managedHsm) return false;
  return props?.keyLocation?.kind === undefined || props.keyLocation.kind === KeyLocationKind.NEW_VAULT;
}
