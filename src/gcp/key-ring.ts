import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { KmsKeyRingIamMember } from '@cdktf/provider-google/lib/kms-key-ring-iam-member';
import { PrivilegedAccessManagerEntitlement } from '@cdktf/provider-google/lib/privileged-access-manager-entitlement';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { gcpAssignments } from './custodians';
import { IKeyAuditSink } from './key-audit-sink';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { EvidenceLedger } from '../core/evidence';
import { stableGuid, stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, shown, ValidationError } from '../core/validation';
import { deployerAssignment, EXTERNAL_KEYS, keyAdministratorRole, ringCondition } from './private/admin-role';
import { requireKmsName, requireLocation, requireProject } from './private/input';
import { optionalConstruct, optionalProfile } from '../terraform/input';
import { checkGcpApprovers, checkSinkFor } from './private/custodian-checks';
import { checkGcpResidency } from './private/residency';
import { ROLES } from './private/roles';

/**
 * Properties of a Google Cloud `KeyRing`.
 */
export interface KeyRingProps {
  /** The project of the key ring. */
  readonly project: string;
  /** Cloud KMS location, e.g. `europe-west1`, `us`, `global`. Keys in the ring live there. */
  readonly location: string;

  /**
   * Name of the key ring (1–63 letters, digits, hyphens and underscores). Key rings cannot be deleted or renamed.
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * The compliance profile.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * The audit sink of the ring's project.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * IAM members who administer every key in the ring (the library's key administrator role on the ring, which manages
   * keys but cannot use them or change IAM; just in time under dual control).
   * @default - none here; keys add their own administrators
   */
  readonly administrators?: string[];

  /**
   * Under dual control: IAM members who approve administrators' access requests (Privileged Access Manager); at least
   * two, none of them an administrator.
   * @default - none (required when the profile requires dual control)
   */
  readonly approvers?: string[];

  /**
   * The IAM member Terraform runs as (a service account, usually). It creates every IAM binding of the ring and its
   * keys, so it can change who may use them: it is recorded as the keys' deployment custodian, and checked against
   * separation of duties (it may not be a user or auditor).
   * @default - recorded as "the identity Terraform runs as", unnamed
   */
  readonly deploymentPrincipal?: string;
}

/** How long an approved administrator keeps the key administrator role on the ring. */
const MAX_GRANT = '28800s';

/**
 * A Cloud KMS key ring with its administrators. They hold a custom key administrator role (key management without
 * `setIamPolicy` or any use permission, shared by the stack's rings in a project), never "Cloud KMS Admin": outside
 * dual control on the ring (not the project); under dual control they are only eligible for it through a Privileged
 * Access Manager entitlement that needs an approver and a justification, for at most 8 hours, limited by an IAM
 * condition to this ring and what is in it.
 */
export class KeyRing extends Construct {
  public readonly ring: KmsKeyRing;
  /** `projects/<project>/locations/<location>/keyRings/<name>`. */
  public readonly keyRingId: string;
  public readonly keyRingName: string;
  public readonly project: string;
  public readonly location: string;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  /** Whether administration needs an approved, just-in-time grant. */
  public readonly dualControl: boolean;
  /** The Privileged Access Manager entitlement, under dual control. */
  public readonly entitlement?: PrivilegedAccessManagerEntitlement;
  /** The role administrators hold (`projects/<project>/roles/<id>`). */
  public readonly administratorRole: string;
  /** The IAM member Terraform runs as, when named. */
  public readonly deploymentPrincipal?: string;
  /** @internal The deployment custodian of the ring's keys. */
  public readonly _deployer: CustodianAssignment;
  private readonly assignments: CustodianAssignment[] = [];
  private readonly admins: string[] = [];

  constructor(scope: Construct, id: string, props: KeyRingProps) {
    super(scope, id);
    requireDefined('props', props);
    requireProject('project', props.project);
    requireLocation('location', props.location);
    optionalProfile('profile', props.profile);
    optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    checkSinkFor(this, profile, props.auditSink);
    checkGcpResidency(profile, 'location', props.location, this.node.path);
    const name = props.name ?? stableName(this, 'ring-', 63, /[^a-z0-9_-]/g);
    if (typeof name !== 'string') throw new ValidationError(`name must be a string, got ${shown(name)}`);
    requireKmsName('name', name);
    const approvers = gcpAssignments(CustodianRole.APPROVER, 'approvers', props.approvers ?? []);
    if (profile.dualControlRequired || approvers.length > 0) {
      checkGcpApprovers(profile, approvers, 'approvers', this.node.path);
    }
    this.assignments.push(...approvers);
    this._deployer = deployerAssignment(props.deploymentPrincipal);
    this.deploymentPrincipal = props.deploymentPrincipal;
    this.assignments.push(this._deployer);
    SeparationOfDuties.check([...this.assignments, ...gcpAssignments(CustodianRole.ADMINISTRATOR, 'administrators', props.administrators ?? [])],
      this.node.path);

    this.project = props.project;
    this.location = props.location;
    this.profile = profile;
    this.auditSink = props.auditSink;
    this.dualControl = approvers.length > 0;
    this.keyRingName = name;
    this.ring = new KmsKeyRing(this, 'Resource', {
      name,
      project: props.project,
      location: props.location,
      lifecycle: { preventDestroy: true },
    });
    this.keyRingId = this.ring.id;
    this.administratorRole = keyAdministratorRole(this, props.project, EXTERNAL_KEYS.active).name;

    if (this.dualControl) {
      this.entitlement = new PrivilegedAccessManagerEntitlement(this, 'AdministratorEntitlement', {
        parent: `projects/${props.project}`,
        location: 'global',
        entitlementId: stableName(this, 'kms-admin-', 63).replace(/_/g, '-'),
        maxRequestDuration: MAX_GRANT,
        eligibleUsers: [{ principals: Lazy.listValue({ produce: () => this.admins }) }],
        privilegedAccess: {
          gcpIamAccess: {
            resourceType: 'cloudresourcemanager.googleapis.com/Project',
            resource: `//cloudresourcemanager.googleapis.com/projects/${props.project}`,
            roleBindings: [{
              role: this.administratorRole,
              // Privileged Access Manager grants on the project; the condition keeps the grant to this ring and what is
              // in it. A bare prefix would also match rings whose names start with this one's (card-data-archive).
              conditionExpression: ringCondition(this.ring.id),
            }],
          },
        },
        requesterJustificationConfig: { unstructured: {} },
        approvalWorkflow: {
          manualApprovals: {
            requireApproverJustification: true,
            steps: [{ approvalsNeeded: 1, approvers: { principals: approvers.map((a) => a.label!) } }],
          },
        },
      });
      this.node.addValidation({
        validate: () => (this.admins.length === 0 ? [`key ring ${this.node.path} has dual control but no administrator is eligible`] : []),
      });
    }
    for (const admin of props.administrators ?? []) this.addAdministrator(admin, 'administrators');
  }

  /**
   * Makes an IAM member an administrator of every key in the ring: the key administrator role on the ring, or
   * eligibility for it under dual control. Checked against separation of duties with every role in the ring.
   */
  public addAdministrator(member: string, source = 'administrators'): void {
    const [assignment] = gcpAssignments(CustodianRole.ADMINISTRATOR, source, [member]);
    if (this.assignments.some((a) => a.role === CustodianRole.ADMINISTRATOR && a.identity === assignment.identity)) return;
    this._checkSeparation([assignment], this.node.path);
    this.assignments.push(assignment);
    EvidenceLedger.of(this).addCustodian(this.node.path, assignment);
    if (this.dualControl) {
      this.admins.push(member);
    } else {
      new KmsKeyRingIamMember(this, `Administrator${stableGuid(assignment.identity).slice(0, 8)}`, {
        keyRingId: this.ring.id, role: this.administratorRole, member,
      });
    }
  }

  /** @internal Gives an IAM member "Cloud KMS Importer" on the ring (BYOK import jobs). */
  public _addImporter(member: string, subject: string): void {
    const [assignment] = gcpAssignments(CustodianRole.IMPORTER, 'custodians.importers', [member]);
    // Two imports into one shared ring may name the same importer: the ring-wide role is bound once.
    if (this.assignments.some((a) => a.role === CustodianRole.IMPORTER && a.identity === assignment.identity)) return;
    this._checkSeparation([assignment], subject);
    this.assignments.push(assignment);
    new KmsKeyRingIamMember(this, `Importer${stableGuid(assignment.identity).slice(0, 8)}`, {
      keyRingId: this.ring.id, role: ROLES.KMS_IMPORTER, member,
    });
  }

  /** @internal Checks assignments for a key in this ring against everyone who holds a ring-wide role. */
  public _checkSeparation(assignments: CustodianAssignment[], subject: string): void {
    SeparationOfDuties.check([...this.assignments, ...assignments], subject);
  }
}
