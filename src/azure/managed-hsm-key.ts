import type { KeyVaultManagedHardwareSecurityModuleKey } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-key';
import { Construct, IConstruct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import { KeySpec, KeyUsage } from './key-spec';
import { CustodianRole } from '../core/custodians';
import { EvidenceLedger } from '../core/evidence';
import { stableGuid } from '../core/naming';
import { Period } from '../core/period';
import { registerHsmKeyMatrix } from './private/access-matrix';
import type { ManagedHsmRef } from './private/container-refs';
import { storeKeyAssignments } from './private/custodian-checks';
import { recordAzureKeyEvidence, recordContainerCustodians } from './private/key-evidence';
import { createHsmKey } from './private/key-resource';
import { AzureKeySettings } from './private/key-settings';
import { HSM_BUILT_IN, hsmRoleDefinitionId } from './private/roles';

/** Options for `HyokExternalStore.addKey`. */
export interface ManagedHsmKeyOptions {
  /**
   * Key name.
   * @default - derived from the construct path
   */
  readonly keyName?: string;
  /** @default KeySpec.RSA_3072 */
  readonly keySpec?: KeySpec;
  /** @default - ENCRYPT_DECRYPT for RSA, SIGN_VERIFY for EC */
  readonly keyUsage?: KeyUsage;
  /**
   * As on `CustomerManagedKey`: a literal, or a `TerraformVariable`'s numberValue in days, which the construct
   * validates at plan time.
   * @default - the profile's longest rotation period
   */
  readonly rotation?: Period;
  /**
   * A literal period (a token is refused).
   * @default - rotation plus 30 days
   */
  readonly expireAfter?: Period;
  /**
   * Custodians of this key. `administrators` may be empty here: the store's administrators administer every key in it.
   * @default - the store's custodians
   */
  readonly custodians?: AzureCustodians;
}

/** @internal what a key in the Managed HSM is made from */
export interface HsmKeyRequest {
  readonly name: string;
  readonly settings: AzureKeySettings;
  readonly custodians: AzureCustodians;
  readonly constructName: string;
  /** The construct the key is recorded under in the evidence ledger. @default - the ManagedHsmKey */
  readonly subject?: IConstruct;
}

/**
 * A key inside a Managed HSM, with a rotation policy and local role assignments scoped to the key.
 */
export class ManagedHsmKey extends Construct {
  /** @internal */
  public static _create(scope: Construct, id: string, store: ManagedHsmRef, request: HsmKeyRequest): ManagedHsmKey {
    return new ManagedHsmKey(scope, id, store, request);
  }

  public readonly key: KeyVaultManagedHardwareSecurityModuleKey;
  /** The versionless key id. */
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly store: ManagedHsmRef;

  private constructor(scope: Construct, id: string, store: ManagedHsmRef, request: HsmKeyRequest) {
    super(scope, id);
    const s = request.settings;
    const c = request.custodians;
    const assignments = storeKeyAssignments(c);
    const subject = request.subject ?? this;
    store._checkSeparation(assignments, subject.node.path);
    this.store = store;
    this.keyName = request.name;
    this.key = createHsmKey(this, store, request.name, s);
    this.keyId = this.key.id;
    for (const u of c.users ?? []) this._grantUse(u, false);
    const ledger = EvidenceLedger.of(this);
    assignments.forEach((a) => ledger.addCustodian(subject.node.path, a));
    recordContainerCustodians(subject.node.path, store._storeCustodians, ledger);
    recordAzureKeyEvidence({
      key: subject,
      resource: this.key,
      constructName: request.constructName,
      settings: s,
      holder: 'key in a single-tenant Managed HSM whose security domain the customer holds',
      auditSink: store.auditSink,
      parent: store.node.path,
      separation: 'local RBAC: administrators hold a key-management role without cryptographic data actions, backup or restore; users a ' +
        'crypto-only role on this key; the deployment principal creates and updates keys only (it is also a Managed HSM Administrator)',
      dualControl: 'the security domain needs a quorum of certificate holders (M of N); keys are purge-protected',
    });
    registerHsmKeyMatrix(subject, store, request.name);
  }

  /** @internal */
  public _grantUse(objectId: string, serviceOnly: boolean): void {
    if (serviceOnly) this.store._allowTrustedServices(`service encryption by ${objectId} with ${this.node.path}`);
    const role = serviceOnly ? hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_SERVICE_ENCRYPTION_USER) : this.store._keyUserRoleId;
    this.store._assign(this, `${serviceOnly ? 'ServiceUser' : 'User'}${stableGuid(objectId).slice(0, 8)}`, `/keys/${this.keyName}`, role, objectId);
  }

  /** Lets an object id use this key (encrypt, decrypt, wrap, unwrap, sign, verify), on this key only. */
  public grantEncryptDecrypt(objectId: string): void {
    this.store._checkSeparation(azureAssignments(CustodianRole.USER, 'grantee', [objectId]), this.node.path);
    this._grantUse(objectId, false);
  }
}
