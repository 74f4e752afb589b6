import { CustomResource, Duration, Fn, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { Control } from '../core/controls';
import { KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { requireDefined, requireRange, shown, ValidationError } from '../core/validation';
import { HSM_CLUSTER_TYPE } from './handlers/resource-types';
import { boundDeployTimeNumber, describeDeployTimeBound, DeployTimeBound } from './private/deploy-time-bounds';
import { literalDuration, optionalRemovalPolicy, requireProps, selectSubnets } from './private/input';
import { KmsResourceProvider, ProviderKind } from './private/providers';
import { stackRegions } from './private/residency';

/**
 * CloudHSM instance types.
 * @see https://docs.aws.amazon.com/cloudhsm/latest/userguide/introduction.html
 */
export enum HsmType {
  /** FIPS 140-2 Level 3 validated. */
  HSM1_MEDIUM = 'hsm1.medium',
  /** FIPS 140-3 Level 3 validated (in FIPS mode). */
  HSM2M_MEDIUM = 'hsm2m.medium',
}

/**
 * Properties of a `CloudHsmCluster`.
 */
export interface CloudHsmClusterProps {
  /** The VPC the HSMs live in. */
  readonly vpc: ec2.IVpc;

  /**
   * Every HSM costs money by the hour from the moment it is created (well over US$1,000 a month each, at least two
   * per cluster), so creating a cluster must be a deliberate act: set this to true.
   * @see https://aws.amazon.com/cloudhsm/pricing/
   */
  readonly acknowledgeHourlyCost: boolean;

  /**
   * Private subnets in at least two Availability Zones, one per zone.
   * @default - one private isolated subnet per zone, or one private subnet with egress per zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * HSM type.
   * @default HsmType.HSM2M_MEDIUM
   */
  readonly hsmType?: HsmType;

  /**
   * Number of HSMs, spread over the zones. At least two, so a zone failure leaves the keys usable and KMS can
   * use the cluster for a custom key store.
   * @default 2
   */
  readonly hsmCount?: number;

  /**
   * How long CloudHSM keeps backups: 7 to 379 days.
   * @default Duration.days(90)
   * @see https://docs.aws.amazon.com/cloudhsm/latest/userguide/manage-backup-retention.html
   */
  readonly backupRetention?: Duration;

  /**
   * What happens to the cluster when it leaves the stack. A destroyed cluster deletes its HSMs; only backups remain.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A CloudHSM v2 cluster, provisioned through a custom resource (CloudFormation has none): private subnets in at
 * least two Availability Zones, at least two HSMs, backup retention, and a client security group allowed to reach
 * the HSMs. It exposes the cluster id, the cluster CSR to sign with your CA, and the HSM addresses.
 *
 * Initializing and activating the cluster stay manual (they need your CA and your crypto officer's password);
 * see the runbook in the README. The cluster is retained by default.
 */
export class CloudHsmCluster extends Construct {
  /** The cluster id (`cluster-…`). */
  public readonly clusterId: string;
  /** The certificate signing request of the cluster, to sign with your issuing CA (step 1 of the runbook). */
  public readonly clusterCsr: string;
  /** The security group CloudHSM created for the cluster. */
  public readonly clusterSecurityGroupId: string;
  /** IP addresses of the HSM network interfaces, in the cluster's subnets. */
  public readonly hsmEniIps: string[];
  /** Clients (CloudHSM CLI, the KMS custom key store) put this group on their interfaces to reach the HSMs. */
  public readonly clientSecurityGroup: ec2.SecurityGroup;
  public readonly hsmType: HsmType;
  public readonly hsmCount: number;
  /** FIPS 140 level of the HSMs. */
  public readonly fipsLevel: FipsLevel;

  constructor(scope: Construct, id: string, props: CloudHsmClusterProps) {
    super(scope, id);
    const input = checkClusterInput(this, props);
    const vpc = input.vpc;
    const hsmCount = input.hsmCount;
    const retentionDays = input.retentionDays;
    const onePerZone = input.onePerZone;

    this.hsmType = props.hsmType ?? HsmType.HSM2M_MEDIUM;
    this.hsmCount = hsmCount;
    this.fipsLevel = FipsLevel.LEVEL_3;
    const provider = KmsResourceProvider.of(this, ProviderKind.HSM_CLUSTER);
    optionalRemovalPolicy('removalPolicy', props.removalPolicy);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: HSM_CLUSTER_TYPE,
      removalPolicy,
      properties: {
        VpcId: vpc.vpcId,
        SubnetIds: onePerZone.subnetIds,
        HsmType: this.hsmType,
        // A parameter's value stays a reference (String() of a number token would write the token's placeholder number).
        HsmCount: Tokenization.stringifyNumber(hsmCount),
        BackupRetentionDays: String(retentionDays),
        ...(this.hsmType === HsmType.HSM2M_MEDIUM ? { Mode: 'FIPS' } : {}),
        Tags: [{ Key: 'cloud-kms:construct', Value: this.node.path.slice(0, 256) }],
      },
    });
    this.clusterId = resource.getAttString('ClusterId');
    this.clusterCsr = resource.getAttString('ClusterCsr');
    this.clusterSecurityGroupId = resource.getAttString('SecurityGroupId');
    this.hsmEniIps = Fn.split(',', resource.getAttString('HsmEniIps'));

    this.clientSecurityGroup = this.createClientAccess(props.vpc);
    this.recordEvidence(resource, removalPolicy, input);
  }

  /** The client security group, allowed to reach the HSMs on the CloudHSM client ports. */
  private createClientAccess(vpc: ec2.IVpc): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: `Clients of CloudHSM cluster ${this.node.path}`,
    });
    group.addEgressRule(ec2.Peer.securityGroupId(this.clusterSecurityGroupId), ec2.Port.tcpRange(2223, 2225),
      'CloudHSM client protocol');
    new ec2.CfnSecurityGroupIngress(this, 'ClientIngress', {
      groupId: this.clusterSecurityGroupId,
      sourceSecurityGroupId: group.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 2223,
      toPort: 2225,
      description: `CloudHSM client protocol from ${this.node.path}/ClientSecurityGroup`,
    });
    return group;
  }

  private recordEvidence(resource: CustomResource, removalPolicy: RemovalPolicy, input: ClusterInput): void {
    const { hsmCount, hsmCountBound, retentionDays, onePerZone } = input;
    const ledger = EvidenceLedger.of(this);
    const stack = Stack.of(this);
    ledger.registerContainer({
      path: this.node.path,
      stack: stack.node.path,
      cloud: 'aws',
      kind: 'CloudHSM cluster',
      custody: KeyCustody.CUSTOMER_EXTERNAL,
      fipsLevel: this.fipsLevel,
      hsmType: this.hsmType,
      // No profile of its own: a key store on it checks the region against the store's profile.
      regions: stackRegions(this),
    });
    const res = resource.node.defaultChild ? (resource.node.defaultChild as Construct).node.path : resource.node.path;
    for (const control of [Control.NIST_SC_13, Control.PCI_3_6_1_2]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: res,
        setting: 'HsmType',
        value: this.hsmType,
        description: `key material in single-tenant HSMs validated at FIPS 140 Level 3 (${this.hsmType})`,
      });
    }
    ledger.record({
      control: Control.NIST_SC_12_1,
      status: removalPolicy === RemovalPolicy.RETAIN ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      subject: this.node.path,
      resource: res,
      setting: 'HsmCount, BackupRetentionDays, DeletionPolicy',
      value: `${hsmCountBound ? describeDeployTimeBound(hsmCountBound) : hsmCount}, ${retentionDays}, ${removalPolicy}`,
      description: `${hsmCountBound ? `${hsmCountBound.min} to ${hsmCountBound.max} (parameter ${hsmCountBound.parameter})` : hsmCount} HSMs across ${onePerZone.subnetIds.length} Availability Zones, backups kept ${retentionDays} days`,
    });
    ledger.acknowledge({
      subject: this.node.path,
      resource: res,
      rule: 'cloud-kms:HsmHourlyCost',
      reason: 'acknowledgeHourlyCost was set: the HSMs bill by the hour from creation',
    });
  }
}

/** A `CloudHsmCluster`'s props, checked. */
interface ClusterInput {
  readonly vpc: ec2.IVpc;
  readonly hsmCount: number;
  readonly hsmCountBound?: DeployTimeBound;
  readonly retentionDays: number;
  readonly onePerZone: ec2.SelectedSubnets;
}

function checkClusterInput(scope: Construct, props: CloudHsmClusterProps): ClusterInput {
  requireProps(props, 'CloudHsmCluster');
  const vpc = requireDefined('vpc', props.vpc);
  if (typeof vpc !== 'object' || typeof vpc.selectSubnets !== 'function') throw new ValidationError(`vpc must be an ec2.IVpc, got ${shown(vpc)}`);
  if (props.acknowledgeHourlyCost !== true) {
    throw new ValidationError(
      'acknowledgeHourlyCost must be true: each CloudHSM HSM bills by the hour from creation (well over US$1,000 a month, ' +
      `at least two per cluster), got ${shown(props.acknowledgeHourlyCost)}`);
  }
  const hsmCount = props.hsmCount ?? 2;
  const hsmCountBound = Token.isUnresolved(hsmCount)
    ? boundDeployTimeNumber(scope.node.path, 'hsmCount', hsmCount, 2, 28, 'HSMs', 'CloudHSM high availability and its cluster limit')
    : undefined;
  if (!Token.isUnresolved(hsmCount)) {
    requireRange('hsmCount', hsmCount, 2, 28, 'HSMs');
    if (!Number.isInteger(hsmCount)) throw new ValidationError(`hsmCount must be a whole number, got ${shown(hsmCount)}`);
  }
  const retention = literalDuration('backupRetention', props.backupRetention) ?? Duration.days(90);
  const retentionDays = retention.toDays({ integral: false });
  requireRange('backupRetention', retentionDays, 7, 379, 'days');
  if (!Number.isInteger(retentionDays)) throw new ValidationError(`backupRetention must be a whole number of days, got ${retention.toHumanString()}`);

  if (props.hsmType !== undefined && !Object.values(HsmType).includes(props.hsmType)) {
    throw new ValidationError(`hsmType must be one of ${Object.values(HsmType).join(', ')}, got ${shown(props.hsmType)}`);
  }
  const selection = props.vpcSubnets ?? defaultSubnets(vpc);
  const subnets = selectSubnets('vpcSubnets', vpc, selection);
  const zones = new Set(subnets.subnets.map((s) => s.availabilityZone).filter((z) => z && !Token.isUnresolved(z)));
  if (zones.size < 2) {
    throw new ValidationError(`vpcSubnets must cover at least 2 Availability Zones, got ${zones.size} (${[...zones].join(', ') || 'none'})`);
  }
  if (subnets.subnets.some((s) => vpc.publicSubnets.includes(s))) {
    throw new ValidationError('vpcSubnets must select private subnets: HSMs must not sit in a subnet routed to an internet gateway');
  }
  const onePerZone = selectSubnets('vpcSubnets', vpc, { ...selection, onePerAz: true });
  return { vpc, hsmCount, hsmCountBound, retentionDays, onePerZone };
}

function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.isolatedSubnets.length > 0 ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}
