import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyVersion } from '@cdktf/provider-google/lib/kms-crypto-key-version';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { GcpCustodians } from './custodians';
import { KeyAlgorithm, ProtectionLevel } from './key-spec';
import { SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { nameFor } from '../core/naming';
import { Period } from '../core/period';
import { shown, ValidationError } from '../core/validation';
import { optionalPeriod } from '../terraform/input';
import { keyAssignments, requireCustodians } from './private/custodian-checks';
import { ExternalKeyStore } from './private/external-key-store';
import { requireString } from './private/input';
import { recordGcpKeyEvidence, ringDualControl } from './private/key-evidence';
import { bindKeyCustodians, bindUserRoles, createCryptoKey } from './private/key-resource';
import { describeRotationBound, GcpKeySettings, resolveGcpKeySettings, RotationMode } from './private/key-settings';

/** Options for `HyokExternalStore.addKey`. */
export interface ExternalKeyOptions {
  /**
   * EXTERNAL_VPC keys: the key's path in the key manager (`ekm_connection_key_path`).
   * @default - none (required for EkmBackend.vpc)
   */
  readonly externalKeyPath?: string;
  /**
   * EXTERNAL keys: the key's URI in the key manager (`external_key_uri`, https).
   * @default - none (required for EkmBackend.internet)
   */
  readonly externalKeyUri?: string;
  /**
   * Key name.
   * @default - derived from the construct path
   */
  readonly keyName?: string;
  /** @default KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION */
  readonly algorithm?: KeyAlgorithm;
  /**
   * Period within which custodians add a version pointing at a new external key (Cloud KMS cannot rotate external keys).
   * A literal, or a `TerraformVariable`'s numberValue, which the construct validates at plan time.
   * @default - the profile's rotation limit
   */
  readonly rotation?: Period;
  /**
   * A literal period (a token is refused).
   * @default Period.days(30)
   */
  readonly destroyScheduledDuration?: Period;
  /** @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Custodians of this key. `administrators` may be empty here: the store's administrators administer its key ring.
   * @default - the store's custodians
   */
  readonly custodians?: GcpCustodians;
}

/**
 * A Cloud KMS key backed by a key in the customer's external key manager (one version, pointing at it).
 */
export class ExternalKey extends Construct {
  /** @internal */
  public static _create(store: ExternalKeyStore, id: string, options: ExternalKeyOptions): ExternalKey {
    return new ExternalKey(store, id, options);
  }

  public readonly key: KmsCryptoKey;
  public readonly version: KmsCryptoKeyVersion;
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly settings: GcpKeySettings;
  private readonly store: ExternalKeyStore;

  private constructor(store: ExternalKeyStore, id: string, options: ExternalKeyOptions) {
    super(store, id);
    this.store = store;
    // A key's own custodians get the same up-front check as the store's (JavaScript callers can pass any shape).
    if (options.custodians !== undefined && options.custodians !== null) requireCustodians(this, options.custodians, 'unchecked', false);
    for (const prop of ['rotation', 'destroyScheduledDuration'] as const) optionalPeriod(prop, options[prop]);
    const level = store.backend.protectionLevel;
    this.checkExternalKey(level, options);
    const c = options.custodians ?? store.custodians;
    const assignments = keyAssignments(c);
    this.settings = resolveGcpKeySettings(store, id, {
      ...options, project: store.keyRing.project, profile: store.profile, auditSink: store.auditSink,
    }, DeploymentModel.HYOK, level, RotationMode.MANUAL, store.backend.externalKeyManagerFipsLevel);
    store.keyRing._checkSeparation(assignments, this.node.path);
    this.keyName = options.keyName ?? nameFor(this.node.path, id, 'hyok-', 63, /[^a-z0-9_-]/g);
    this.key = createCryptoKey(this, store.keyRing, this.keyName, this.settings, {
      skipInitialVersionCreation: true,
      cryptoKeyBackend: store.connection?.id,
    });
    this.keyId = this.key.id;
    this.version = new KmsCryptoKeyVersion(this, 'Version', {
      cryptoKey: this.key.id,
      externalProtectionLevelOptions: level === ProtectionLevel.EXTERNAL_VPC
        ? { ekmConnectionKeyPath: options.externalKeyPath }
        : { externalKeyUri: options.externalKeyUri },
      lifecycle: { preventDestroy: true },
      // Creating the version makes Cloud KMS reach the key manager, as the service agent.
      dependsOn: store._agentGrants.length > 0 ? store._agentGrants : undefined,
    });
    bindKeyCustodians(this, this.key, store.keyRing, c, assignments, this.settings.purpose);
    recordGcpKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'HyokExternalStore.addKey',
      model: DeploymentModel.HYOK,
      settings: this.settings,
      holder: `key material in the customer's external key manager, reached ${level === ProtectionLevel.EXTERNAL_VPC ? 'through a VPC EKM connection' : 'over the internet'}`,
      auditSink: store.auditSink,
      parent: store.node.path,
      ring: store.keyRing,
      separation: 'administrators hold the key administrator role on the key ring (no cryptographic use, no IAM changes); users a use-only role on this key; the key manager authorizes every use as well',
      dualControl: ringDualControl(store.keyRing),
      manualRotation: {
        setting: 'crypto key versions',
        value: `every ${this.settings.rotationText} days`,
        description: `rotated by adding a version that points at a new external key every ${this.settings.rotationText} days${describeRotationBound(this.settings)}; Cloud KMS cannot rotate external keys`,
      },
    });
  }

  /** Lets a member use the key (the role its purpose needs, on this key only). */
  public grantEncryptDecrypt(member: string): void {
    const added = keyAssignments({ administrators: [], users: [member] });
    this.store.keyRing._checkSeparation(added, this.node.path);
    SeparationOfDuties.check([...EvidenceLedger.of(this).custodiansOf(this.node.path), ...added], this.node.path);
    added.forEach((a) => EvidenceLedger.of(this).addCustodian(this.node.path, a));
    bindUserRoles(this, this.key, this.settings.purpose, member, 'Grant');
  }

  /** The key manager's reference the backend needs: a key path (EXTERNAL_VPC) or an https key URI (EXTERNAL). */
  private checkExternalKey(level: ProtectionLevel, options: ExternalKeyOptions): void {
    if (level === ProtectionLevel.EXTERNAL_VPC) {
      if (options.externalKeyPath === undefined || options.externalKeyPath === null) {
        throw new ValidationError(`externalKeyPath is required for an EXTERNAL_VPC key (${this.node.path}), got nothing`);
      }
      requireString('externalKeyPath', options.externalKeyPath);
    }
    if (level === ProtectionLevel.EXTERNAL) {
      if (options.externalKeyUri === undefined || options.externalKeyUri === null) {
        throw new ValidationError(`externalKeyUri is required for an EXTERNAL key (${this.node.path}), got nothing`);
      }
      requireString('externalKeyUri', options.externalKeyUri);
      if (!Token.isUnresolved(options.externalKeyUri) && !/^https:\/\/\S+$/.test(options.externalKeyUri)) {
        throw new ValidationError(`externalKeyUri must be an https URI, got ${shown(options.externalKeyUri)}`);
      }
    }
    if (level === ProtectionLevel.EXTERNAL_VPC && options.externalKeyUri) {
      throw new ValidationError(`externalKeyUri is for EXTERNAL keys; an EXTERNAL_VPC key takes externalKeyPath (${this.node.path})`);
    }
  }
}
