import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { KmsEkmConnection } from '@cdktf/provider-google/lib/kms-ekm-connection';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { GcpCustodians } from './custodians';
import { ExternalKey, ExternalKeyOptions } from './external-key';
import { IKeyAuditSink } from './key-audit-sink';
import { KeyRing } from './key-ring';
import { ProtectionLevel } from './key-spec';
import { checkModelAllowed } from '../core/checks';
import { SeparationOfDuties } from '../core/custodians';
import { DeploymentModel, KeyCustody } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { isTokenValue, requireDefined, requireMatch, shown, ValidationError } from '../core/validation';
import { externalKeyRing } from './private/admin-role';
import { checkRingApprovers, keyAssignments, requireCustodians } from './private/custodian-checks';
import { checkKeyProps, optionalEnum, optionalList, requireKmsName, requireProject, requireString } from './private/input';
import { recordExternalResidency } from './private/key-evidence';
import { newKeyRing } from './private/key-location';
import { checkGcpResidency, gcpRegions } from './private/residency';
import { ROLES } from './private/roles';

/** Options of a Cloud EKM connection reached through a VPC. */
export interface EkmVpcOptions {
  /** The Service Directory service of the key manager (`projects/<p>/locations/<l>/namespaces/<n>/services/<s>`). */
  readonly serviceDirectoryService: string;
  /** Host name of the key manager, as its server certificate names it. */
  readonly hostname: string;
  /** The key manager's TLS server certificates, DER, base64 (at least one). */
  readonly serverCertificates: string[];
  /** FIPS 140 level of the key manager's HSMs, as its validation certificate states. */
  readonly externalKeyManagerFipsLevel: FipsLevel;
  /**
   * Service Directory endpoint filter.
   * @default - every endpoint of the service
   */
  readonly endpointFilter?: string;
  /**
   * Project of the Service Directory service, where the Cloud KMS service agent gets the roles it needs.
   * @default - the store's project
   */
  readonly serviceDirectoryProject?: string;
}

/** Options of Cloud EKM keys reached over the internet. */
export interface EkmInternetOptions {
  /** FIPS 140 level of the key manager's HSMs, as its validation certificate states. */
  readonly externalKeyManagerFipsLevel: FipsLevel;
}

/**
 * How Cloud KMS reaches the customer's external key manager.
 */
export class EkmBackend {
  /** Through a VPC: a Cloud EKM connection to a Service Directory service (keys are EXTERNAL_VPC). */
  public static vpc(options: EkmVpcOptions): EkmBackend {
    requireDefined('options', options);
    optionalEnum('externalKeyManagerFipsLevel', requireDefined('externalKeyManagerFipsLevel', options.externalKeyManagerFipsLevel), Object.values(FipsLevel));
    requireString('serviceDirectoryService', options.serviceDirectoryService);
    const host = requireString('hostname', options.hostname);
    // The key manager's DNS host name, as its server certificate names it (no scheme, port or path).
    if (!Token.isUnresolved(host)) requireMatch('hostname', host, /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/, 'a DNS host name such as ekm.example.com');
    for (const cert of optionalList('serverCertificates', options.serverCertificates)) requireString('serverCertificates', cert);
    if (options.endpointFilter !== undefined) requireString('endpointFilter', options.endpointFilter);
    if (options.serviceDirectoryProject !== undefined) requireProject('serviceDirectoryProject', options.serviceDirectoryProject);
    return new EkmBackend(ProtectionLevel.EXTERNAL_VPC, options.externalKeyManagerFipsLevel, options);
  }

  /** Over the internet, each key version by its external key URI (keys are EXTERNAL). */
  public static internet(options: EkmInternetOptions): EkmBackend {
    requireDefined('options', options);
    optionalEnum('externalKeyManagerFipsLevel', requireDefined('externalKeyManagerFipsLevel', options.externalKeyManagerFipsLevel), Object.values(FipsLevel));
    return new EkmBackend(ProtectionLevel.EXTERNAL, options.externalKeyManagerFipsLevel);
  }

  /** EXTERNAL_VPC or EXTERNAL. */
  public readonly protectionLevel: ProtectionLevel;
  public readonly externalKeyManagerFipsLevel: FipsLevel;
  /** @internal */
  public readonly _vpc?: EkmVpcOptions;

  private constructor(protectionLevel: ProtectionLevel, externalKeyManagerFipsLevel: FipsLevel, vpc?: EkmVpcOptions) {
    this.protectionLevel = protectionLevel;
    this.externalKeyManagerFipsLevel = externalKeyManagerFipsLevel;
    this._vpc = vpc;
  }
}

/**
 * Properties of a Google Cloud `HyokExternalStore`.
 */
export interface HyokExternalStoreProps {
  /** The project of the key ring and EKM connection. */
  readonly project: string;
  /** Cloud KMS location of the key ring and EKM connection (a region: EKM is regional). */
  readonly location: string;
  /** How Cloud KMS reaches the key manager. */
  readonly backend: EkmBackend;
  /** Key custodians, as IAM members. */
  readonly custodians: GcpCustodians;

  /**
   * An EKM connection cannot be deleted once created. Required (true) for `EkmBackend.vpc`.
   * @default false
   * @see https://cloud.google.com/kms/docs/ekm-connections
   */
  readonly acknowledgeEkmConnectionIsPermanent?: boolean;

  /**
   * The compliance profile.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * The audit sink of the project.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Name of the EKM connection.
   * @default - derived from the construct path
   */
  readonly connectionName?: string;

  /**
   * Name of the key ring.
   * @default - derived from the construct path
   */
  readonly keyRingName?: string;

  /**
   * The IAM member Terraform runs as (a service account, usually). It creates the IAM bindings of the key ring and its
   * keys, so it can change who may use them: it is recorded as the keys' deployment custodian and kept apart from users
   * and auditors.
   * @default - recorded as "the identity Terraform runs as", unnamed
   */
  readonly deploymentPrincipal?: string;
}

/**
 * Hold your own key on Google Cloud with Cloud EKM: the key material stays in the customer's external key manager;
 * Cloud KMS keys (protection level EXTERNAL_VPC through an EKM connection, or EXTERNAL by key URI) only point at it,
 * and every use is a call to the customer's key manager, which can refuse it.
 */
export class HyokExternalStore extends Construct {
  public readonly profile: ComplianceProfile;
  public readonly keyRing: KeyRing;
  public readonly backend: EkmBackend;
  /** The EKM connection, for `EkmBackend.vpc`. */
  public readonly connection?: KmsEkmConnection;
  public readonly custodians: GcpCustodians;
  public readonly auditSink?: IKeyAuditSink;
  /** @internal the service agent's grants, which key versions wait for */
  public readonly _agentGrants: ProjectIamMember[] = [];

  constructor(scope: Construct, id: string, props: HyokExternalStoreProps) {
    super(scope, id);
    const { custodians: c, profile, vpc } = this.checkProps(props);
    this.profile = profile;
    this.backend = props.backend;
    this.custodians = c;
    this.auditSink = props.auditSink;
    // Its administrators cannot re-point the external keys (new versions, new key URIs): that would send plaintext elsewhere.
    this.keyRing = externalKeyRing(() => newKeyRing(this, props, profile, c.approvers));
    c.administrators.forEach((a) => this.keyRing.addAdministrator(a, 'custodians.administrators'));
    if (vpc) this.connection = this.createConnection(props, vpc);
    EvidenceLedger.of(this).registerContainer({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'gcp',
      kind: vpc ? 'Cloud EKM connection (EXTERNAL_VPC)' : 'Cloud EKM (EXTERNAL, internet)',
      custody: KeyCustody.CUSTOMER_EXTERNAL,
      fipsLevel: props.backend.externalKeyManagerFipsLevel,
      // The Cloud KMS side (key ring, EKM connection); the key material stays in the external key manager, wherever it is.
      regions: gcpRegions(props.location),
    });
    recordExternalResidency(this, this.keyRing, profile);
  }

  /** Creates a Cloud KMS key whose one version points at a key in the external key manager. */
  public addKey(id: string, options: ExternalKeyOptions = {}): ExternalKey {
    return ExternalKey._create(this, id, options ?? {});
  }

  /** The store's props, checked before anything is created; returns what the constructor uses. */
  private checkProps(props: HyokExternalStoreProps): { custodians: GcpCustodians; profile: ComplianceProfile; vpc?: EkmVpcOptions } {
    checkKeyProps(props);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    checkModelAllowed(profile, DeploymentModel.HYOK, this.node.path);
    // Importers are not checked here: the store's keys take none, and the store hands none on.
    const c = requireCustodians(this, props.custodians, 'unchecked');
    const backend = requireDefined('backend', props.backend) as { protectionLevel?: unknown };
    if (typeof backend !== 'object' || typeof backend.protectionLevel !== 'string') {
      throw new ValidationError(`backend must be EkmBackend.vpc(...) or EkmBackend.internet(...), got ${shown(props.backend)}`);
    }
    const vpc = props.backend._vpc;
    if (vpc && props.acknowledgeEkmConnectionIsPermanent !== true) {
      throw new ValidationError(`acknowledgeEkmConnectionIsPermanent must be true: an EKM connection cannot be deleted once created, got ${shown(props.acknowledgeEkmConnectionIsPermanent)}`);
    }
    if (!Token.isUnresolved(props.location) && ['global', 'us', 'eu', 'asia'].includes(props.location)) {
      throw new ValidationError(`location must be a region for Cloud EKM (e.g. europe-west1), got ${shown(props.location)}`);
    }
    checkGcpResidency(profile, 'location', props.location, this.node.path);
    SeparationOfDuties.check([...keyAssignments(c)], this.node.path);
    checkRingApprovers(this, profile, c.approvers);
    return { custodians: c, profile, vpc };
  }

  /** The EKM connection to the key manager, and the Cloud KMS service agent's roles to resolve it. */
  private createConnection(props: HyokExternalStoreProps, vpc: EkmVpcOptions): KmsEkmConnection {
    const certificates = vpc.serverCertificates ?? [];
    // Each certificate becomes its own server_certificates block, so the list itself must be known at synthesis.
    if (isTokenValue(certificates) && certificates.length === 1 && /^#\{TfToken\[/.test(certificates[0])) {
      throw new ValidationError(`serverCertificates must be a list written in the app (each certificate may be a token), got ${shown(certificates)}`);
    }
    if (certificates.length === 0) throw new ValidationError('serverCertificates must hold at least one DER certificate (base64), got none');
    for (const cert of certificates) {
      if (!Token.isUnresolved(cert) && !/^[A-Za-z0-9+/]+={0,2}$/.test(cert.replace(/\s/g, ''))) {
        const head = cert.length > 80 ? `${cert.slice(0, 40)}...` : shown(cert);
        throw new ValidationError(`serverCertificates must be DER certificates in base64 (no PEM header), got ${head}`);
      }
    }
    if (!Token.isUnresolved(vpc.serviceDirectoryService)) {
      requireMatch('serviceDirectoryService', vpc.serviceDirectoryService, /^projects\/[^/]+\/locations\/[^/]+\/namespaces\/[^/]+\/services\/[^/]+$/,
        'a Service Directory service name (projects/<p>/locations/<l>/namespaces/<n>/services/<s>)');
    }
    const name = props.connectionName ?? stableName(this, 'ekm-', 63, /[^a-z0-9_-]/g);
    // EKM connection ids follow the Cloud KMS resource id rule (1-63 letters, digits, hyphens and underscores).
    requireKmsName('connectionName', name);
    const connection = new KmsEkmConnection(this, 'Connection', {
      name,
      project: props.project,
      location: props.location,
      keyManagementMode: 'MANUAL',
      serviceResolvers: [{
        serviceDirectoryService: vpc.serviceDirectoryService,
        hostname: vpc.hostname,
        endpointFilter: vpc.endpointFilter,
        serverCertificates: certificates.map((rawDer) => ({ rawDer: rawDer.replace(/\s/g, '') })),
      }],
      lifecycle: { preventDestroy: true },
    });
    // The Cloud KMS service agent resolves the key manager through Service Directory and Private Service Connect.
    const sdProject = vpc.serviceDirectoryProject ?? props.project;
    const project = new DataGoogleProject(this, 'Project', { projectId: props.project });
    const agent = `serviceAccount:service-${project.number}@gcp-sa-ekms.iam.gserviceaccount.com`;
    this._agentGrants.push(
      new ProjectIamMember(this, 'EkmAgentServiceDirectoryViewer', { project: sdProject, role: ROLES.SERVICE_DIRECTORY_VIEWER, member: agent }),
      new ProjectIamMember(this, 'EkmAgentPscAuthorized', { project: sdProject, role: ROLES.SERVICE_DIRECTORY_PSC, member: agent }),
    );
    return connection;
  }
}
