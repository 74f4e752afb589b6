import type { IKeyAuditSink } from './key-audit-sink';
import { KeySpec, KeyUsage } from './key-spec';
import type { VaultNetwork } from './vault-network';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';

/**
 * The built-in role key users get.
 */
export enum KeyUserRole {
  /**
   * The vault's custom role "cloud-kms key user": read, encrypt, decrypt, wrap, unwrap, sign, verify. (The built-in "Key
   * Vault Crypto User" also updates and backs up keys, which would let a user disable a key or carry it elsewhere.)
   */
  CRYPTO_USER = 'CRYPTO_USER',
  /** "Key Vault Crypto Service Encryption User": read, wrap and unwrap (for Azure services' managed identities). */
  SERVICE_ENCRYPTION_USER = 'SERVICE_ENCRYPTION_USER',
}


/**
 * Options shared by the Azure key constructs.
 */
export interface AzureKeyOptions {
  /** Resource group of the vault the construct creates (and of its private endpoint). */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * The compliance profile the key must satisfy.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where the vault's audit logs go.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Name of the key.
   * @default - derived from the construct path
   */
  readonly keyName?: string;

  /**
   * Key type and size or curve.
   * @default KeySpec.RSA_3072
   */
  readonly keySpec?: KeySpec;

  /**
   * What the key is for.
   * @default - ENCRYPT_DECRYPT for RSA, SIGN_VERIFY for EC
   */
  readonly keyUsage?: KeyUsage;

  /**
   * Automatic rotation: a new version this long after the current one was created. At least 7 days, at most the
   * profile's rotation period. May be `Period.days(tfVar.numberValue)` of a `TerraformVariable`: the construct adds a
   * `validation` to the variable that holds it to the same range (and below `expireAfter` less 7 days) at plan time;
   * any other token is refused.
   * @default - the profile's longest rotation period
   * @see https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation
   */
  readonly rotation?: Period;

  /**
   * Every version expires this long after creation (at least 28 days, and 7 days longer than `rotation`). A literal
   * period: a token is refused.
   * @default - rotation plus 30 days
   */
  readonly expireAfter?: Period;

  /**
   * Event Grid `KeyNearExpiry` notice this long before a version expires (at least 7 days). A literal period: a
   * token is refused.
   * @default Period.days(30)
   */
  readonly notifyBeforeExpiry?: Period;

  /**
   * Required when the construct creates its vault: purge protection cannot be turned off.
   * @default false
   */
  readonly acknowledgePurgeProtectionIsPermanent?: boolean;

  /**
   * Vault name when the construct creates one.
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly vaultName?: string;

  /**
   * How Terraform and clients reach the vault the construct creates: `VaultNetwork.privateEndpoint(...)` or
   * `VaultNetwork.allowList(...)`. Required when the construct creates its vault; a vault or Managed HSM given
   * (`keyLocation`, `vault`) brings its own.
   * @default - none: an error when the construct creates its vault
   */
  readonly network?: VaultNetwork;
}
