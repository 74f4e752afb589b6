import { shown, ValidationError } from '../../core/validation';
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
  if (!(loc instanceof KeyLocation)) {
    throw new ValidationError(`keyLocation must be KeyLocation.newVault(), KeyLocation.vault(...) or KeyLocation.managedHsm(...), got ${shown(loc)}`);
  }
  for (const prop of ['vault', 'managedHsm'] as const) {
    if (props[prop] !== undefined && props[prop] !== null) {
      throw new ValidationError(`keyLocation and ${prop} both given for ${subject}: give keyLocation only (${prop} is deprecated; ` +
        `use keyLocation: KeyLocation.${prop}(...))`);
    }
  }
  return loc;
}

/** Whether the construct creates a vault of its own (read before the props are checked, so any shape passes). */
export function locationCreatesVault(props: KeyLocationInput | undefined): boolean {
  if (props?.vault || props?.managedHsm) return false;
  const kind = (props?.keyLocation as { kind?: unknown } | undefined)?.kind;
  return kind === undefined || kind === KeyLocationKind.NEW_VAULT;
}
