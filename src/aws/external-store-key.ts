import { CfnResource, CustomResource, Duration, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { GrantConditions, KeyCustodians } from './custodians';
import { DECRYPT_ACTIONS, ENCRYPT_ACTIONS } from './key-policy-actions';
import { KeyStoreBackend } from './key-store-backend';
import { checkDeletionWindowDays } from '../core/checks';
import { DeploymentModel } from '../core/deployment-model';
import { ComplianceProfile } from '../core/profile';
import { days, requireDefined, requireRange, shown, ValidationError } from '../core/validation';
import { STORE_KEY_TYPE } from './handlers/resource-types';
import type { IKeyAuditSink } from './key-audit-sink-types';
import { CustodianPolicy } from './private/custodian-policy';
import { isExternalStore } from './private/external-stores';
import { literalDuration, optionalDescription, optionalRemovalPolicy, requireProps, shownHead } from './private/input';
import { checkKeyAlgorithmAllowed } from './private/key-crypto';
import { recordKmsKeyEvidence } from './private/key-evidence';
import { KMS_WINDOW_MAX_DAYS, KMS_WINDOW_MIN_DAYS, normalizeAlias, normalizeAliases } from './private/key-settings';
import { KmsResourceProvider, ProviderKind } from './private/providers';
import { addRotationReminder } from './private/reminders';
import { checkStackResidency } from './private/residency';

/**
 * A custom key store that `ExternalStoreKey`s live in: a `HyokExternalStore`. It is an interface so the key's file does
 * not import the store's; it is not for other implementations: `ExternalStoreKey` accepts only a `HyokExternalStore`
 * made by this library (`store must be a HyokExternalStore`), whose custom resources, custodians and alarms the key uses.
 */
export interface IHyokExternalStore extends IConstruct {
  /** The custom key store id (`cks-…`). */
  readonly customKeyStoreId: string;
  /** Where the store's keys live. */
  readonly backend: KeyStoreBackend;
  /** The compliance profile the store and its keys satisfy. */
  readonly profile: ComplianceProfile;
  /**
   * Where key and store events are recorded and alarmed.
   * @default - none
   */
  readonly auditSink?: IKeyAuditSink;
  /** The custodians new keys get by default. */
  readonly custodians: KeyCustodians;
  /** The store's alarms. */
  readonly alarms: cloudwatch.Alarm[];

  /** Creates a KMS key in this store (an XKS key needs `xksKeyId`). */
  addKey(id: string, options?: ExternalStoreKeyOptions): ExternalStoreKey;
}

/**
 * Options of a key made with `HyokExternalStore.addKey`.
 */
export interface ExternalStoreKeyOptions {
  /**
   * The id of the key in your external key manager (XKS stores only; CloudHSM stores generate the key).
   * @default - required for XKS stores
   */
  readonly xksKeyId?: string;

  /**
   * Custodians of this key. Without `administrators`, the store's administrators administer it.
   * @default - the store's custodians
   */
  readonly custodians?: KeyCustodians;

  /**
   * Aliases; `alias/` is added when missing.
   * @default - none
   */
  readonly aliases?: string[];

  /**
   * Key description.
   * @default - the model, profile and construct path
   */
  readonly description?: string;

  /**
   * Waiting period before deletion: 7 to 30 days, at least the profile's minimum.
   * @default Duration.days(30)
   */
  readonly deletionWindow?: Duration;

  /**
   * How often custodians are reminded to rotate (KMS cannot rotate keys in custom key stores): a new external key
   * and KMS key, then move the alias.
   * @default - the profile's longest rotation period
   */
  readonly rotationReminder?: Duration;

  /**
   * What happens to the key when it leaves the stack (DESTROY schedules deletion).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of an `ExternalStoreKey`.
 */
export interface ExternalStoreKeyProps extends ExternalStoreKeyOptions {
  /** The store the key lives in (a `HyokExternalStore`). */
  readonly store: IHyokExternalStore;
}

/**
 * A KMS key in a custom key store (XKS or CloudHSM), made through a custom resource. It is an `IKey`: grants go into
 * its key policy under the separation-of-duties rules, and aliases work as for any key.
 */
export class ExternalStoreKey extends Resource implements kms.IKey {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly store: IHyokExternalStore;
  public readonly model: DeploymentModel;
  /** Whether destructive operations are held by approvers with MFA. */
  public readonly dualControl: boolean;
  private readonly custodianPolicy: CustodianPolicy;
  private aliasCount = 0;

  constructor(scope: Construct, id: string, props: ExternalStoreKeyProps) {
    super(scope, id);
    requireProps(props, 'ExternalStoreKey');
    const store = requireDefined('store', props.store);
    if (!isExternalStore(store)) throw new ValidationError(`store must be a HyokExternalStore, got ${shown(store)}`);
    checkXksKeyId(store, props.xksKeyId);
    const lifecycle = checkLifecycle(store.profile, props);
    // Keys in custom key stores are symmetric only (SYMMETRIC_DEFAULT): a profile that allows no AES refuses them.
    // @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-compare.html
    checkKeyAlgorithmAllowed(store.profile, kms.KeySpec.SYMMETRIC_DEFAULT, this.node.path);
    checkStackResidency(this, store.profile, `key ${this.node.path}`);
    const provider = KmsResourceProvider.of(this, ProviderKind.STORE_KEY);
    this.custodianPolicy = this.createCustodianPolicy(store, props.custodians, provider, lifecycle.removalPolicy);
    this.store = store;
    this.model = DeploymentModel.HYOK;
    this.dualControl = this.custodianPolicy.dualControl;

    const resource = this.createKey(provider, props, lifecycle);
    this.keyArn = resource.getAttString('Arn');
    this.keyId = resource.getAttString('KeyId');
    this.custodianPolicy.bind(this);

    for (const alias of lifecycle.aliases) this.addAlias(alias);
    if (store.auditSink) {
      addRotationReminder(this, store.auditSink, lifecycle.reminderDays, this.node.path,
        `Rotate ${this.node.path} (${this.keyArn}): KMS cannot rotate keys in a custom key store. Create a new external key ` +
        'and a new key with HyokExternalStore.addKey, re-encrypt or let old data age out, then move the alias.');
    }
    this.recordEvidence(resource, lifecycle);
  }

  public get keyRef(): kms.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** Adds an alias (`alias/` is added when missing; `alias/aws/` is reserved). */
  public addAlias(aliasName: string): kms.Alias {
    const id = this.aliasCount === 0 ? 'Alias' : `Alias${this.aliasCount}`;
    this.aliasCount++;
    return new kms.Alias(this, id, { aliasName: normalizeAlias(aliasName), targetKey: this });
  }

  /** Adds a statement to the key policy; the synthesis-time separation-of-duties check still applies. */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    void allowNoOp;
    this.custodianPolicy.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.custodianPolicy.document };
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.custodianPolicy.grant(grantee, actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, DECRYPT_ACTIONS);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, ENCRYPT_ACTIONS);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS]);
  }

  /** Grants encrypt and decrypt only when the request meets the conditions (encryption context, calling service). */
  public grantEncryptDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], conditions);
  }

  /** Grants decrypt only when the request meets the conditions. */
  public grantDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, DECRYPT_ACTIONS, conditions);
  }

  /** Grants encrypt only when the request meets the conditions. */
  public grantEncryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, ENCRYPT_ACTIONS, conditions);
  }

  /** Makes the principal an administrator (management only, cryptographic use denied). */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grantAdmin(grantee);
  }

  /** Grants GenerateDataKey and Decrypt (envelope encryption) only when the request meets the conditions. */
  public grantDataKeyUseWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, ['kms:GenerateDataKey', 'kms:Decrypt'], conditions);
  }

  public grantSign(_grantee: iam.IGrantable): iam.Grant {
    throw new ValidationError(`keys in custom key stores are symmetric encryption keys; ${this.node.path} cannot sign`);
  }

  public grantVerify(_grantee: iam.IGrantable): iam.Grant {
    throw new ValidationError(`keys in custom key stores are symmetric encryption keys; ${this.node.path} cannot verify`);
  }

  public grantSignVerify(_grantee: iam.IGrantable): iam.Grant {
    throw new ValidationError(`keys in custom key stores are symmetric encryption keys; ${this.node.path} cannot sign or verify`);
  }

  public grantGenerateMac(_grantee: iam.IGrantable): iam.Grant {
    throw new ValidationError(`keys in custom key stores are symmetric encryption keys; ${this.node.path} cannot generate MACs`);
  }

  public grantVerifyMac(_grantee: iam.IGrantable): iam.Grant {
    throw new ValidationError(`keys in custom key stores are symmetric encryption keys; ${this.node.path} cannot verify MACs`);
  }

  private createCustodianPolicy(store: IHyokExternalStore, custodians: KeyCustodians | undefined, provider: KmsResourceProvider,
    removalPolicy: RemovalPolicy): CustodianPolicy {
    return new CustodianPolicy(this, {
      subject: this.node.path,
      profile: store.profile,
      // A key's own custodians may leave out administrators: the store's administrators administer every key in it
      // (as on Azure and Google Cloud). Anything else given that is not an object is refused by CustodianPolicy.
      custodians: custodians === undefined ? store.custodians
        : typeof custodians === 'object' && custodians !== null && custodians.administrators === undefined
          ? { ...custodians, administrators: store.custodians.administrators } : custodians,
      importersRequired: false,
      // KMS checks the key policy lets its creator (the handler) change it again.
      deploymentPrincipal: new iam.ArnPrincipal(provider.handlerRole.roleArn),
      deployerDescription: 'the handler role',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      delegateToIam: false,
      removalPolicy,
    });
  }

  private createKey(provider: KmsResourceProvider, props: ExternalStoreKeyProps, lifecycle: KeyLifecycle): CustomResource {
    const subject = this.node.path;
    return new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: STORE_KEY_TYPE,
      removalPolicy: lifecycle.removalPolicy,
      properties: {
        CustomKeyStoreId: this.store.customKeyStoreId,
        Origin: this.store.backend.keyOrigin,
        XksKeyId: props.xksKeyId,
        Description: props.description ?? `${DeploymentModel.HYOK.title} under profile ${this.store.profile.name} (${subject})`,
        KeyPolicy: this.custodianPolicy.document,
        BypassPolicyLockoutSafetyCheck: this.custodianPolicy.dualControl ? 'true' : undefined,
        PendingWindowInDays: String(lifecycle.windowDays),
        Tags: [{ TagKey: 'cloud-kms:construct', TagValue: subject.slice(0, 256) }],
      },
    });
  }

  private recordEvidence(resource: CustomResource, lifecycle: KeyLifecycle): void {
    const store = this.store;
    const backend = store.backend;
    recordKmsKeyEvidence(this, resource.node.defaultChild as CfnResource, () => this.custodianPolicy.document, {
      constructName: 'HyokExternalStore.addKey',
      model: DeploymentModel.HYOK,
      settings: {
        profile: store.profile,
        deletionWindow: lifecycle.window,
        aliases: lifecycle.aliases,
        removalPolicy: lifecycle.removalPolicy,
      },
      auditSink: store.auditSink,
      separation: this.custodianPolicy.separationEvidence,
      dualControl: this.custodianPolicy.dualControlEvidence,
      fipsLevel: backend.fipsLevel,
      // No setting shows an external key manager's validation: its level is what the customer declared.
      fipsLevelDeclared: backend._xks !== undefined,
      parent: store.node.path,
      custody: {
        setting: 'Origin',
        value: backend.keyOrigin,
        // Only an external key manager's level is the customer's declaration; a CloudHSM cluster's is AWS's validation.
        description: `key material held outside AWS KMS, in ${backend._cloudHsm ? 'your CloudHSM cluster' : 'your external key manager'} ` +
          `(${backend._xks !== undefined ? 'declared ' : 'validated at '}FIPS 140 ${backend.fipsLevel.replace('LEVEL_', 'Level ')})`,
      },
      manualRotation: {
        setting: 'rotation reminder',
        value: `${lifecycle.reminderDays} days`,
        description: `KMS cannot rotate keys in custom key stores: rotated by a new key and alias swap every ${days(lifecycle.reminderDays)}` +
          `${store.auditSink ? ', with a scheduled reminder to the audit topic' : ' (no audit sink, so no reminder is sent)'}`,
      },
    });
  }
}

/** The checked lifecycle props of a key in a custom key store. */
interface KeyLifecycle {
  readonly window: Duration;
  readonly windowDays: number;
  readonly reminderDays: number;
  readonly aliases: string[];
  readonly removalPolicy: RemovalPolicy;
}

function checkXksKeyId(store: IHyokExternalStore, given: string | undefined): void {
  const isXks = store.backend.storeType === 'EXTERNAL_KEY_STORE';
  // Only absence means "not given": '' or ' ' is a bad value, reported as such (quoted), not as a missing one.
  const xksKeyId = given ?? undefined;
  if (isXks && xksKeyId === undefined) {
    throw new ValidationError(`xksKeyId is required for keys in external key store ${store.node.path}, got nothing`);
  }
  if (!isXks && xksKeyId !== undefined) {
    throw new ValidationError(`xksKeyId applies only to external key stores; ${store.node.path} is a CloudHSM key store, got ${shown(xksKeyId)}`);
  }
  if (xksKeyId !== undefined && !Token.isUnresolved(xksKeyId) && (typeof xksKeyId !== 'string' || !/^[a-zA-Z0-9-_.]{1,128}$/.test(xksKeyId))) {
    throw new ValidationError(`xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got ${shownHead(xksKeyId)}`);
  }
}

function checkLifecycle(profile: ComplianceProfile, props: ExternalStoreKeyOptions): KeyLifecycle {
  // The key is a custom resource whose handler passes PendingWindowInDays to KMS as given: a deploy-time value would
  // reach KMS unchecked, so these take literals only.
  const window = literalDuration('deletionWindow', props.deletionWindow) ?? Duration.days(KMS_WINDOW_MAX_DAYS);
  const windowDays = window.toDays({ integral: false });
  checkDeletionWindowDays(profile, 'deletionWindow', windowDays, KMS_WINDOW_MIN_DAYS, KMS_WINDOW_MAX_DAYS);
  if (!Number.isInteger(windowDays)) {
    throw new ValidationError(`deletionWindow must be a whole number of days, got ${window.toHumanString()}`);
  }
  const reminder = literalDuration('rotationReminder', props.rotationReminder) ?? Duration.days(profile.maxRotationDays);
  const reminderDays = reminder.toDays({ integral: false });
  requireRange('rotationReminder', reminderDays, 1, profile.maxRotationDays, 'days');
  if (!Number.isInteger(reminderDays)) {
    throw new ValidationError(`rotationReminder must be a whole number of days, got ${reminder.toHumanString()}`);
  }
  const aliases = normalizeAliases('aliases', props.aliases);
  optionalDescription('description', props.description);
  optionalRemovalPolicy('removalPolicy', props.removalPolicy);
  return { window, windowDays, reminderDays, aliases, removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN };
}
