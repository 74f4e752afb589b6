import type { HyokExternalStore } from './hyok-external-store';
import type { KeyVault } from './key-vault';
import { requireDefined } from '../core/validation';
import { optionalHsmStore, optionalKeyVault } from './private/container-shape';

/** Where an Azure key lives. */
export enum KeyLocationKind {
  /** A premium Key Vault the key construct creates for itself (from `resourceGroupName`, `location`, `vaultName`, `network`). */
  NEW_VAULT = 'NEW_VAULT',
  /** A Key Vault shared with other keys, which owns the vault-wide roles (approvers, backup operators) and the network. */
  VAULT = 'VAULT',
  /** A Managed HSM (`HyokExternalStore`), under its local RBAC and security domain. */
  MANAGED_HSM = 'MANAGED_HSM',
}

/**
 * Where an Azure key (`CustomerManagedKey`, `ByokImport`) lives: a vault of its own, a shared Key Vault, or a Managed
 * HSM. One of three, said by the factory that made it.
 */
export class KeyLocation {
  /**
   * A premium Key Vault of the key's own, created from the key's `resourceGroupName`, `location`, `vaultName`, `network`
   * and `acknowledgePurgeProtectionIsPermanent` props; the key's approvers and backup operators go on it.
   */
  public static newVault(): KeyLocation {
    return new KeyLocation(KeyLocationKind.NEW_VAULT, undefined, undefined);
  }

  /** An existing premium Key Vault: it brings its network, approvers and backup operators. */
  public static vault(vault: KeyVault): KeyLocation {
    optionalKeyVault('vault', requireDefined('vault', vault));
    return new KeyLocation(KeyLocationKind.VAULT, vault, undefined);
  }

  /** An activated Managed HSM (a `HyokExternalStore`): the key lives under its local RBAC. */
  public static managedHsm(store: HyokExternalStore): KeyLocation {
    optionalHsmStore('managedHsm', requireDefined('managedHsm', store));
    return new KeyLocation(KeyLocationKind.MANAGED_HSM, undefined, store);
  }

  /** Which of the three. */
  public readonly kind: KeyLocationKind;
  /** The shared vault, for `KeyLocation.vault(...)`. (Not `vault`: some jsii languages refuse a property named as a static method.) */
  public readonly sharedVault?: KeyVault;
  /** The Managed HSM, for `KeyLocation.managedHsm(...)`. */
  public readonly hsmStore?: HyokExternalStore;

  private constructor(kind: KeyLocationKind, vault: KeyVault | undefined, managedHsm: HyokExternalStore | undefined) {
    this.kind = kind;
    this.sharedVault = vault;
    this.hsmStore = managedHsm;
  }
}
