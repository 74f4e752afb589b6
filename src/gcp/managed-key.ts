import { KmsAutokeyConfig } from '@cdktf/provider-google/lib/kms-autokey-config';
import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyHandle } from '@cdktf/provider-google/lib/kms-key-handle';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { gcpAssignments } from './custodians';
import { IKeyAuditSink } from './key-audit-sink';
import { GcpKeyOptions } from './key-options';
import { KeyRing } from './key-ring';
import { KeyAlgorithm, ProtectionLevel } from './key-spec';
import { checkFipsLevel, checkModelAllowed } from '../core/checks';
import { CustodianRole } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { fipsLevelRank } from '../core/fips-rank';
import { KeyAlgorithm as AlgorithmFamily } from '../core/key-algorithm';
import { stableGuid, stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, requireMatch, shown, ValidationError } from '../core/validation';
import { optionalConstruct, optionalProfile } from '../terraform/input';
import { checkSharedRingSink, checkSinkFor } from './private/custodian-checks';
import { checkKeyProps, optionalList, requireLocation, requireProject } from './private/input';
import { gcpKeyCrypto } from './private/key-crypto';
import { recordGcpKeyEvidence, recordGcpKeyFacts } from './private/key-evidence';
import { checkSharedDeployer, newKeyRing } from './private/key-location';
import { bindUserRoles, createCryptoKey } from './private/key-resource';
import { GcpKeySettings, resolveGcpKeySettings, RotationMode } from './private/key-settings';
import { checkGcpResidency, gcpRegions } from './private/residency';

/**
 * Properties of a Google Cloud `ManagedKey`.
 */
export interface ManagedKeyProps extends GcpKeyOptions {
  /**
   * IAM members that may use the key (the role its purpose needs, on the key).
   * @default - none; add with grantEncryptDecrypt
   */
  readonly users?: string[];
}

/**
 * The provider-managed model on Google Cloud: a key ring and a SOFTWARE-protected key (FIPS 140 Level 1) with
 * automatic rotation, where the profile accepts software keys; a Cloud HSM key otherwise. Access is plain project IAM:
 * whoever holds Cloud KMS roles on the project decides, as with Google's defaults; use `CustomerManagedKey` to
 * enforce separation of duties. For keys Google creates per resource on request, see `AutokeyHandles`.
 */
export class ManagedKey extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly keyRing: KeyRing;
  public readonly key: KmsCryptoKey;
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly settings: GcpKeySettings;

  constructor(scope: Construct, id: string, props: ManagedKeyProps) {
    super(scope, id);
    checkKeyProps(props);
    const profile = props.profile ?? props.keyRing?.profile ?? ComplianceProfile.COMMERCIAL;
    checkModelAllowed(profile, DeploymentModel.PROVIDER_MANAGED, this.node.path);
    const software = fipsLevelRank(profile.minimumFipsLevel) <= fipsLevelRank(FipsLevel.LEVEL_1);
    const users = gcpAssignments(CustodianRole.USER, 'users', props.users ?? []);
    if (!props.keyRing) checkSinkFor(this, profile, props.auditSink);
    else checkSharedRingSink(this, profile, props.auditSink, props.keyRing);
    checkSharedDeployer(this, props);
    this.keyRing = props.keyRing ?? newKeyRing(this, props, profile);
    this.settings = resolveGcpKeySettings(scope, id, { ...props, profile, auditSink: props.auditSink ?? this.keyRing.auditSink },
      DeploymentModel.PROVIDER_MANAGED, software ? ProtectionLevel.SOFTWARE : ProtectionLevel.HSM, RotationMode.AUTOMATIC);
    this.model = DeploymentModel.PROVIDER_MANAGED;
    this.profile = profile;
    this.keyRing._checkSeparation(users, this.node.path);
    this.keyName = props.keyName ?? stableName(this, 'key-', 63, /[^a-z0-9_-]/g);
    this.key = createCryptoKey(this, this.keyRing, this.keyName, this.settings);
    this.keyId = this.key.id;
    for (const u of props.users ?? []) this.grantEncryptDecrypt(u);
    recordGcpKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'ManagedKey',
      model: this.model,
      settings: this.settings,
      holder: software ? 'Cloud KMS software key' : 'Cloud HSM key',
      auditSink: props.auditSink ?? this.keyRing.auditSink,
      parent: this.keyRing.node.path,
      ring: this.keyRing,
    });
  }

  /** Lets a member use the key: the role its purpose needs, bound on this key only. */
  public grantEncryptDecrypt(member: string): void {
    const [a] = gcpAssignments(CustodianRole.USER, 'grantee', [member]);
    this.keyRing._checkSeparation([a], this.node.path);
    EvidenceLedger.of(this).addCustodian(this.node.path, a);
    bindUserRoles(this, this.key, this.settings.purpose, member, 'User');
  }
}

/**
 * Properties of `AutokeyHandles`.
 */
export interface AutokeyHandlesProps {
  /** The resource project: where the resources that will use the keys live. */
  readonly project: string;
  /** Location of the keys (the resources' location). */
  readonly location: string;
  /**
   * Resource types to get a key for, e.g. `compute.googleapis.com/Disk`, `storage.googleapis.com/Bucket`,
   * `bigquery.googleapis.com/Dataset`.
   */
  readonly resourceTypes: string[];

  /**
   * Turn Autokey on for this folder (`folders/<id>`), with keys in `keyProject`. Leave out when it is already on.
   * @default - Autokey is already enabled for the resource project's folder
   */
  readonly folder?: string;

  /**
   * The key project Autokey creates keys in. Required with `folder`.
   * @default - none
   */
  readonly keyProject?: string;

  /**
   * The compliance profile.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * The audit sink of the key project.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;
}

/** What Autokey creates: Cloud HSM keys rotated every year. */
const AUTOKEY_ROTATION_DAYS = 365;

/** What Autokey keys are (Cloud HSM, AES-256, rotated yearly) against what the profile requires of them. */
function checkAutokeyProfile(profile: ComplianceProfile, model: DeploymentModel, path: string): void {
  checkModelAllowed(profile, model, path);
  checkFipsLevel(profile, FipsLevel.LEVEL_3, `Autokey keys for ${path}`);
  if (!profile.allowsKeyAlgorithm(AlgorithmFamily.AES)) {
    throw new ValidationError(`profile ${profile.name} does not allow AES, but Autokey keys for ${path} are GOOGLE_SYMMETRIC_ENCRYPTION (AES-256)`);
  }
  if (profile.maxRotationDays < AUTOKEY_ROTATION_DAYS) {
    throw new ValidationError(`profile ${profile.name} requires rotation within ${profile.maxRotationDays} days, but Autokey keys rotate every ${AUTOKEY_ROTATION_DAYS} days (${path})`);
  }
}

/**
 * Cloud KMS Autokey: Google creates a key per resource type on request (a key handle), in a key project, for CMEK on
 * that resource. Autokey keys are Cloud HSM keys (FIPS 140-2 Level 3) rotated every 365 days, with no choice, so a
 * profile whose rotation limit is shorter refuses them. Recorded as provider-managed keys.
 * @see https://cloud.google.com/kms/docs/autokey-overview
 */
export class AutokeyHandles extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  /** The key handles, one per resource type, in `resourceTypes` order. */
  public readonly handles: KmsKeyHandle[];
  /** The Autokey folder configuration, when `folder` is given. */
  public readonly config?: KmsAutokeyConfig;

  constructor(scope: Construct, id: string, props: AutokeyHandlesProps) {
    super(scope, id);
    requireDefined('props', props);
    requireProject('project', props.project);
    requireLocation('location', props.location);
    if (props.keyProject !== undefined) requireProject('keyProject', props.keyProject);
    optionalProfile('profile', props.profile);
    optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    this.model = DeploymentModel.PROVIDER_MANAGED;
    this.profile = profile;
    checkAutokeyProfile(profile, this.model, this.node.path);
    checkSinkFor(this, profile, props.auditSink);
    checkGcpResidency(profile, 'location', props.location, this.node.path);
    if (optionalList('resourceTypes', props.resourceTypes).length === 0) throw new ValidationError(`resourceTypes must name at least one resource type for ${this.node.path}, got none`);
    for (const t of props.resourceTypes) {
      if (typeof t !== 'string') throw new ValidationError(`resourceTypes must hold resource types such as compute.googleapis.com/Disk, got ${shown(t)}`);
      // A handle's construct id and name derive from its resource type: a token would give every such handle one name.
      requireMatch('resourceTypes', t, /^[a-z0-9-]+\.googleapis\.com\/[A-Za-z]+$/, 'resource types such as compute.googleapis.com/Disk');
    }
    // One handle per resource type; the type's kind is written in one case only (Disk, not disk).
    const types = new Map<string, string>();
    for (const t of props.resourceTypes) {
      const first = types.get(t.toLowerCase());
      if (first !== undefined) {
        throw new ValidationError(first === t ? `resourceTypes lists ${t} twice` : `resourceTypes lists ${first} and ${t}, the same resource type`);
      }
      types.set(t.toLowerCase(), t);
    }
    if ((props.folder === undefined) !== (props.keyProject === undefined)) {
      throw new ValidationError(`folder and keyProject go together (Autokey needs both), got folder ${shown(props.folder)} and keyProject ${shown(props.keyProject)}`);
    }
    if (props.folder !== undefined && !Token.isUnresolved(props.folder)) requireMatch('folder', props.folder, /^folders\/\d+$/, 'folders/<numeric id>');

    if (props.folder && props.keyProject) {
      this.config = new KmsAutokeyConfig(this, 'Config', { folder: props.folder, keyProject: `projects/${props.keyProject}` });
    }
    this.handles = props.resourceTypes.map((resourceType) => {
      const handle = new KmsKeyHandle(this, `Handle${stableGuid(resourceType).slice(0, 8)}`, {
        project: props.project,
        location: props.location,
        name: `${stableName(this, 'handle-', 54)}-${stableGuid(resourceType).slice(0, 8)}`,
        resourceTypeSelector: resourceType,
        dependsOn: this.config ? [this.config] : undefined,
      });
      recordGcpKeyFacts({
        key: handle,
        resource: handle,
        constructName: 'AutokeyHandles',
        model: this.model,
        profile,
        fipsLevel: FipsLevel.LEVEL_3,
        auditSink: props.auditSink,
        parent: this.node.path,
        regions: gcpRegions(props.location),
        rotation: { setting: 'Autokey', value: `${AUTOKEY_ROTATION_DAYS} days`, description: `Autokey keys rotate every ${AUTOKEY_ROTATION_DAYS} days` },
        custody: { setting: 'Autokey', value: 'HSM', description: 'Cloud HSM key created by Autokey in the key project (FIPS 140 Level 3)' },
        // Autokey creates symmetric encryption keys in Cloud HSM, rotated every year.
        crypto: gcpKeyCrypto(KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION, ProtectionLevel.HSM, AUTOKEY_ROTATION_DAYS),
        separation: {
          setting: 'Autokey',
          value: 'key project IAM',
          satisfied: false,
          description: 'Autokey grants the resource\'s service agent use of the key; administration is whoever holds Cloud KMS roles on the key project',
        },
        dualControl: { setting: 'Autokey', value: 'none', description: 'no dual control on key administration', satisfied: false },
        audit: {
          setting: 'audit config and log sink',
          value: props.auditSink?.node.path ?? 'none',
          satisfied: props.auditSink !== undefined,
          description: props.auditSink ? `Cloud KMS audit logs go to ${props.auditSink.node.path}` : 'no audit sink attached',
        },
      });
      return handle;
    });
  }
}
