import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyRingIamMember } from '@cdktf/provider-google/lib/kms-key-ring-iam-member';
import { Construct } from 'constructs';
import { GcpCustodians, gcpAssignments, memberKey } from './custodians';
import { IKeyAuditSink } from './key-audit-sink';
import { KeyRing } from './key-ring';
import { ProtectionLevel } from './key-spec';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { nameFor, stableGuid } from '../core/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { recordTenantOffboarded, TenantIsolation, TenantPlan } from '../core/tenants';
import { requireMatch, shown, ValidationError } from '../core/validation';
import { requireLiteralNames } from '../terraform/input';
import { checkCustodianKeyProps, checkRingApprovers, checkSinkFor } from './private/custodian-checks';
import { optionalEnum, optionalList, requireWholeNumber } from './private/input';
import { recordGcpKeyEvidence, ringDualControl } from './private/key-evidence';
import { bindKeyRole, createCryptoKey } from './private/key-resource';
import { GcpKeySettings, resolveGcpKeySettings, RotationMode } from './private/key-settings';
import { checkGcpResidency } from './private/residency';
import { ROLES } from './private/roles';

// Lower case: the id is also a label value, which Google Cloud allows in lower case only.
const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,55}$/;
const TENANT_ID_RULE = "1 to 56 lower-case letters, digits, '_' or '-', starting with a letter or digit (it becomes part of a key name and a label)";

/**
 * One tenant of a Google Cloud `TenantKeyHierarchy`.
 */
export interface Tenant {
  /** The tenant's id: in its key's name (`tenant-<tenantId>`) and `tenant_id` label, and in the encryption context. */
  readonly tenantId: string;

  /**
   * Under TIERED isolation, give the tenant its own key.
   * @default - true under DEDICATED, false under POOLED and TIERED
   */
  readonly dedicated?: boolean;

  /**
   * The pool a pooled tenant shares a key with.
   * @default - the first of `pools`
   */
  readonly pool?: string;

  /**
   * The tenant has left. Its dedicated key leaves the configuration: Terraform destroys every version, which Cloud KMS
   * deletes after `destroyScheduledDuration` (crypto-shredding; restorable until then). A pooled tenant loses its IAM
   * bindings; its data cannot be shredded separately.
   * @default false
   */
  readonly offboarded?: boolean;

  /**
   * IAM members of this tenant alone: "Cloud KMS CryptoKey Encrypter/Decrypter" on the tenant's key only (or, for a
   * pooled tenant, its pool's key, where the envelope function enforces the tenant context).
   * @default - none
   */
  readonly users?: string[];
}

/**
 * Properties of a Google Cloud `TenantKeyHierarchy`.
 */
export interface TenantKeyHierarchyProps {
  readonly project: string;
  readonly location: string;

  /**
   * Custodians of every ring and key. `users` are tenant-serving members (e.g. the envelope service's service account):
   * Encrypter/Decrypter on every shard ring. Cloud KMS IAM cannot condition use on the additional authenticated data, so
   * the envelope function enforces that a caller only uses its own tenant's key and context.
   */
  readonly custodians: GcpCustodians;

  /** @default ComplianceProfile.COMMERCIAL */
  readonly profile?: ComplianceProfile;

  /** @default - none (required by profiles that require an audit sink) */
  readonly auditSink?: IKeyAuditSink;

  /** @default ProtectionLevel.HSM */
  readonly protectionLevel?: ProtectionLevel;

  /**
   * As on `CustomerManagedKey`: a literal, or a `TerraformVariable`'s numberValue, which the construct validates at
   * plan time.
   * @default - the profile's longest rotation period
   */
  readonly rotation?: Period;

  /**
   * A literal period (a token is refused).
   * @default Period.days(30) (Cloud KMS allows up to 120)
   */
  readonly destroyScheduledDuration?: Period;

  /** @default TenantIsolation.DEDICATED */
  readonly isolation?: TenantIsolation;

  /**
   * Tenants; more with `addTenant()`. Append new tenants and mark leaving ones `offboarded`; never remove or reorder them.
   * @default - none yet
   */
  readonly tenants?: Tenant[];

  /** @default ['default'] */
  readonly pools?: string[];

  /**
   * Tenant keys per key ring. Fixed for the life of the hierarchy.
   * @default 500
   */
  readonly tenantsPerKeyRing?: number;

  /**
   * Key rings are `<prefix>-<shard>` and `<prefix>-pools`; key rings can never be deleted, so choose once.
   * @default - derived from the construct path
   */
  readonly keyRingPrefix?: string;

  /**
   * The IAM member Terraform runs as (a service account, usually). It creates the IAM bindings of the key ring and its
   * keys, so it can change who may use them: it is recorded as the keys' deployment custodian and kept apart from users
   * and auditors.
   * @default - recorded as "the identity Terraform runs as", unnamed
   */
  readonly deploymentPrincipal?: string;
}

/**
 * Per-tenant keys on Google Cloud: a key per tenant (DEDICATED), a key per pool (POOLED), or both (TIERED), sharded across
 * key rings (`tenantsPerKeyRing` each, in the order tenants are added) with stable names. Tenant-specific members get a
 * role on their tenant's key alone.
 */
export class TenantKeyHierarchy extends Construct {
  public readonly isolation: TenantIsolation;
  public readonly profile: ComplianceProfile;
  public readonly tenantsPerKeyRing: number;
  public readonly keyRingPrefix: string;

  private readonly props: TenantKeyHierarchyProps;
  private readonly plan: TenantPlan;
  private readonly settings: GcpKeySettings;
  private readonly assignments: CustodianAssignment[];
  private readonly rings: KeyRing[] = [];
  private poolRing?: KeyRing;
  private readonly tenantKeys = new Map<string, KmsCryptoKey>();
  private readonly poolKeys = new Map<string, KmsCryptoKey>();
  private readonly keyMembers = new Set<string>();

  constructor(scope: Construct, id: string, props: TenantKeyHierarchyProps) {
    super(scope, id);
    this.props = props;
    const { custodians: c, assignments } = checkCustodianKeyProps(this, props, DeploymentModel.CUSTOMER_MANAGED, 'forbidden');
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    this.assignments = assignments;
    const level = props.protectionLevel ?? ProtectionLevel.HSM;
    if (level !== ProtectionLevel.HSM && level !== ProtectionLevel.SOFTWARE) {
      throw new ValidationError(`protectionLevel must be HSM or SOFTWARE for tenant keys, got ${shown(level)}`);
    }
    checkSinkFor(this, profile, props.auditSink);
    checkRingApprovers(this, profile, c.approvers);
    // Rings are made as tenants arrive: the location is checked now, not at the first tenant.
    checkGcpResidency(profile, 'location', props.location, this.node.path);
    this.settings = resolveGcpKeySettings(scope, id, { ...props, profile }, DeploymentModel.CUSTOMER_MANAGED, level, RotationMode.AUTOMATIC);
    this.profile = this.settings.profile;
    if (this.profile.dualControlRequired && (c.approvers ?? []).length < 2) {
      throw new ValidationError(`custodians.approvers must name at least 2 approvers for dual control on ${this.node.path} (profile ${this.profile.name}), got ${(c.approvers ?? []).length}`);
    }
    optionalEnum('isolation', props.isolation, Object.values(TenantIsolation));
    this.isolation = props.isolation ?? TenantIsolation.DEDICATED;
    // Checked here, under the name the caller wrote, before the tenant plan checks its own tenantsPerShard.
    this.tenantsPerKeyRing = requireWholeNumber('tenantsPerKeyRing', props.tenantsPerKeyRing ?? 500, 1);
    this.keyRingPrefix = props.keyRingPrefix ?? nameFor(this.node.path, id, 'tenants-', 50, /[^a-z0-9_-]/g);
    if (typeof this.keyRingPrefix !== 'string') throw new ValidationError(`keyRingPrefix must be a string, got ${shown(this.keyRingPrefix)}`);
    // A token prefix would name every shard ring after the same unresolved value: refused (rings cannot be renamed).
    requireMatch('keyRingPrefix', this.keyRingPrefix, /^[a-zA-Z0-9_-]{1,57}$/, "1 to 57 letters, digits, '_' or '-'");
    this.plan = new TenantPlan({
      subject: this.node.path,
      isolation: this.isolation,
      pools: props.pools === undefined ? ['default'] : literalNames('pools', optionalList('pools', props.pools)),
      idPattern: TENANT_ID,
      idRule: TENANT_ID_RULE,
      tenantsPerShard: this.tenantsPerKeyRing,
    });
    if (this.isolation !== TenantIsolation.DEDICATED) {
      this.poolRing = this.newRing('Pools', `${this.keyRingPrefix}-pools`);
      for (const pool of this.plan.pools) {
        this.poolKeys.set(pool, this.newKey(this.poolRing, `Pool-${pool}`, `pool-${pool}`, 'pool'));
      }
    }
    for (const tenant of optionalList('tenants', props.tenants)) this.addTenant(tenant);
  }

  /** Adds a tenant: its own key in the current shard ring, or a place in its pool. */
  public addTenant(tenant: Tenant): void {
    if (tenant !== undefined && tenant !== null) requireLiteralNames('tenantId', [tenant.tenantId]);
    const placement = this.plan.add(tenant);
    const users = tenant.users ?? [];
    const added = gcpAssignments(CustodianRole.USER, `tenants[${placement.tenantId}].users`, users);
    SeparationOfDuties.check([...this.assignments, ...added], `${this.node.path}/${placement.tenantId}`);
    const ring = this.ring(placement.shard);
    if (!placement.dedicated) {
      if (placement.offboarded) {
        recordTenantOffboarded(this, placement.tenantId, 'its IAM bindings on the pool key are removed; pooled data cannot be crypto-shredded on its own');
        return;
      }
      const key = this.poolKeys.get(placement.pool!)!;
      for (const u of users) this.bindTenantUser(key, u, placement.tenantId);
      return;
    }
    if (placement.offboarded) {
      recordTenantOffboarded(this, placement.tenantId, `its key versions are destroyed and deleted after ${this.settings.destroyDays} days (crypto-shredding)`);
      return;
    }
    const key = this.newKey(ring, `Tenant-${placement.tenantId}`, `tenant-${placement.tenantId}`, 'tenant', placement.tenantId);
    this.tenantKeys.set(placement.tenantId, key);
    for (const u of users) this.bindTenantUser(key, u, placement.tenantId);
  }

  /** The key a tenant's data is encrypted under: its own, or its pool's. Offboarded tenants have none. */
  public keyFor(tenantId: string): KmsCryptoKey {
    const placement = this.plan.tryFind(tenantId);
    if (!placement) throw new ValidationError(`tenantId must be a tenant of ${this.node.path}, got '${tenantId}'`);
    const key = placement.dedicated ? this.tenantKeys.get(tenantId) : this.poolKeys.get(placement.pool!);
    if (!key || placement.offboarded) throw new ValidationError(`tenant '${tenantId}' is offboarded: it has no key in ${this.node.path}`);
    return key;
  }

  /** Tenant id to the name of the key ring that holds its key (pooled tenants: the pool ring). */
  public get shardMap(): { [tenantId: string]: string } {
    const map: { [tenantId: string]: string } = {};
    for (const t of this.plan.tenants) map[t.tenantId] = t.dedicated ? this.rings[t.shard].keyRingName : this.poolRing!.keyRingName;
    return map;
  }

  /** The shard key rings, in order (the pool ring is not among them). */
  public get shardKeyRings(): KeyRing[] {
    return [...this.rings];
  }

  /** Tenant ids in the order they were added. */
  public get tenantIds(): string[] {
    return this.plan.tenants.map((t) => t.tenantId);
  }

  private ring(index: number): KeyRing {
    while (this.rings.length <= index) {
      const n = String(this.rings.length).padStart(4, '0');
      this.rings.push(this.newRing(`Shard${n}`, `${this.keyRingPrefix}-${n}`));
    }
    return this.rings[index];
  }

  private newRing(id: string, name: string): KeyRing {
    const p = this.props;
    const c = p.custodians;
    const ring = new KeyRing(this, id, {
      project: p.project,
      location: p.location,
      name,
      profile: this.profile,
      auditSink: p.auditSink,
      approvers: c.approvers,
      deploymentPrincipal: p.deploymentPrincipal,
    });
    ring._checkSeparation(this.assignments, this.node.path);
    c.administrators.forEach((a) => ring.addAdministrator(a, 'custodians.administrators'));
    for (const u of c.users ?? []) this.bindOnRing(ring, ROLES.ENCRYPTER_DECRYPTER, u, 'TenantService');
    for (const a of c.auditors ?? []) this.bindOnRing(ring, ROLES.KMS_VIEWER, a, 'Auditor');
    return ring;
  }

  private bindOnRing(ring: KeyRing, role: string, member: string, kind: string): void {
    new KmsKeyRingIamMember(ring, `${kind}${stableGuid(role, memberKey(member)).slice(0, 8)}`, { keyRingId: ring.keyRingId, role, member });
  }

  private newKey(ring: KeyRing, id: string, name: string, what: string, tenantId?: string): KmsCryptoKey {
    const settings = tenantId ? { ...this.settings, labels: { ...this.settings.labels, tenant_id: tenantId } } : this.settings;
    const key = createCryptoKey(ring, ring, name, settings, { id });
    const ledger = EvidenceLedger.of(this);
    for (const a of this.assignments) ledger.addCustodian(key.node.path, a);
    recordGcpKeyEvidence({
      key,
      resource: key,
      constructName: 'TenantKeyHierarchy',
      model: DeploymentModel.CUSTOMER_MANAGED,
      settings: this.settings,
      holder: `${this.settings.protectionLevel === ProtectionLevel.HSM ? 'Cloud HSM' : 'Cloud KMS software'} ${what} key`,
      auditSink: this.props.auditSink,
      parent: ring.node.path,
      ring,
      separation: 'administrators hold the key administrator role on the key rings (no cryptographic use, no IAM changes); tenant members a use-only role on their tenant\'s key; ' +
        'tenant-serving members a use-only role on the shard rings, with the tenant context enforced by the envelope function',
      dualControl: ringDualControl(ring),
    });
    return key;
  }

  private bindTenantUser(key: KmsCryptoKey, member: string, tenantId: string): void {
    const [assignment] = gcpAssignments(CustodianRole.USER, 'tenant users', [member]);
    EvidenceLedger.of(this).addCustodian(key.node.path, assignment);
    // Pooled tenants share a key: a member serving two of them gets one binding (two iam_member resources for one binding
    // would each remove it for the other when destroyed).
    const bound = `${key.node.path}|${assignment.identity}`;
    if (this.keyMembers.has(bound)) return;
    this.keyMembers.add(bound);
    bindKeyRole(key.node.scope as Construct, key, ROLES.ENCRYPTER_DECRYPTER, member, `Tenant-${tenantId}-User`);
  }
}

function literalNames(prop: string, values: string[]): string[] {
  requireLiteralNames(prop, values);
  return values;
}
