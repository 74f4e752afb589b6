import { CustomResource, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { KeyCustodians } from './custodians';
import { ExternalStoreKey, ExternalStoreKeyOptions, IHyokExternalStore } from './external-store-key';
import { KeyStoreBackend } from './key-store-backend';
import { checkAuditSink, checkFipsLevel, checkModelAllowed } from '../core/checks';
import { Control } from '../core/controls';
import { DeploymentModel, KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, shown, ValidationError } from '../core/validation';
import { CONNECTED_METRIC, HEALTH_NAMESPACE, KEY_STORE_TYPE } from './handlers/resource-types';
import { StoreHealthFunction } from './handlers/store-health-function';
import { IKeyAuditSink } from './key-audit-sink-types';
import { acknowledgeRules } from './private/acknowledge';
import { requireCustodians } from './private/custodian-checks';
import { markExternalStore } from './private/external-stores';
import { nonBlankString, optionalAuditSink, optionalProfile, optionalRemovalPolicy, requireProps } from './private/input';
import { operationalLogKey } from './private/log-key';
import { KmsResourceProvider, ProviderKind } from './private/providers';
import { checkStackResidency, recordStackResidency, stackRegions } from './private/residency';

/**
 * Properties of a `HyokExternalStore`.
 */
export interface HyokExternalStoreProps {
  /** Where the keys live: an XKS proxy in front of your external key manager, or your CloudHSM cluster. */
  readonly backend: KeyStoreBackend;

  /** The custodians of keys made with `addKey`, unless a key names its own. */
  readonly custodians: KeyCustodians;

  /**
   * The compliance profile; it must allow the HYOK model (SOVEREIGN allows only this one).
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where key and store events are recorded and alarmed.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Name of the custom key store (unique in the account and region).
   * @default - a name unique to this construct
   */
  readonly customKeyStoreName?: string;

  /**
   * Connect the store after creating it (keys can only be created in a connected store).
   * @default true
   */
  readonly connect?: boolean;

  /**
   * What happens to the store when it leaves the stack. A store can only be deleted once its keys are gone.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Hold your own key: a KMS custom key store whose key material never leaves hardware you control, either an
 * external key manager behind an XKS proxy (`EXTERNAL_KEY_STORE`) or your CloudHSM cluster (`AWS_CLOUDHSM`).
 * CloudFormation has no resource for either, so the store and its keys are custom resources.
 *
 * Credentials come from Secrets Manager at deployment and never appear in the template. The store is connected,
 * watched (a health check publishes its connection state; CloudWatch alarms on it and on the KMS XKS metrics go to
 * the audit sink), and retained by default.
 */
export class HyokExternalStore extends Construct implements IHyokExternalStore {
  /** The custom key store id (`cks-…`). */
  public readonly customKeyStoreId: string;
  public readonly backend: KeyStoreBackend;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  /** The custodians new keys get by default. */
  public readonly custodians: KeyCustodians;
  /** The store's alarms (connection state, and for XKS proxy errors and credential age). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: HyokExternalStoreProps) {
    super(scope, id);
    requireProps(props, 'HyokExternalStore');
    const profile = optionalProfile('profile', props.profile) ?? ComplianceProfile.COMMERCIAL;
    optionalAuditSink('auditSink', props.auditSink);
    optionalRemovalPolicy('removalPolicy', props.removalPolicy);
    const backend = requireDefined('backend', props.backend);
    if (!(backend instanceof KeyStoreBackend)) {
      throw new ValidationError(`backend must be KeyStoreBackend.xksPublicEndpoint(...), .xksVpcEndpointService(...) or .cloudHsm(...), got ${shown(backend)}`);
    }
    // The store's custodians are every key's default: checked here, under the prop the user wrote.
    requireCustodians(this, 'custodians', props.custodians, ['administrators', 'users', 'auditors', 'approvers']);
    if (props.connect !== undefined && typeof props.connect !== 'boolean') {
      throw new ValidationError(`connect must be true or false, got ${shown(props.connect)}`);
    }
    if (props.customKeyStoreName !== undefined) nonBlankString('customKeyStoreName', props.customKeyStoreName);
    checkModelAllowed(profile, DeploymentModel.HYOK, this.node.path);
    checkFipsLevel(profile, backend.fipsLevel, `the key manager of ${this.node.path}`);
    checkStackResidency(this, profile, `custom key store ${this.node.path}`);
    // The cluster that holds a CloudHSM store's key material has no profile of its own: the store's decides for it.
    if (backend._cloudHsm) checkStackResidency(backend._cloudHsm.cluster, profile, `CloudHSM cluster ${backend._cloudHsm.cluster.node.path}`);
    checkAuditSink(profile, props.auditSink && {
      path: props.auditSink.node.path, immutable: props.auditSink.immutable, retentionDays: props.auditSink.retentionDays,
    }, this.node.path);
    const name = props.customKeyStoreName ?? Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    if (!Token.isUnresolved(name) && (name.length < 1 || name.length > 256)) {
      throw new ValidationError(`customKeyStoreName must be 1 to 256 characters, got ${name.length} (${shown(name)})`);
    }
    this.backend = backend;
    this.profile = profile;
    this.auditSink = props.auditSink;
    this.custodians = props.custodians;
    markExternalStore(this);

    const provider = KmsResourceProvider.of(this, ProviderKind.KEY_STORE);
    const xks = backend._xks;
    const hsm = backend._cloudHsm;
    (xks?.credential ?? hsm!.kmsUserPassword).grantRead(provider.handlerRole);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: KEY_STORE_TYPE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      properties: {
        CustomKeyStoreName: name,
        CustomKeyStoreType: backend.storeType,
        Connect: String(props.connect ?? true),
        ...(xks ? {
          XksProxyUriEndpoint: xks.uriEndpoint,
          XksProxyUriPath: xks.uriPath,
          XksProxyConnectivity: backend._connectivity,
          XksProxyVpcEndpointServiceName: backend._vpcEndpointServiceName,
          XksProxyCredentialSecretArn: xks.credential.secretArn,
        } : {
          CloudHsmClusterId: hsm!.cluster.clusterId,
          TrustAnchorCertificate: hsm!.trustAnchorCertificate,
          KeyStorePasswordSecretArn: hsm!.kmsUserPassword.secretArn,
        }),
      },
    });
    this.customKeyStoreId = resource.getAttString('CustomKeyStoreId');

    this.addMonitoring(xks !== undefined);
    this.recordEvidence(resource, name);
  }

  /**
   * Creates a KMS key in this store (an XKS key needs `xksKeyId`). Its key policy follows the separation-of-duties
   * builder; it is an `IKey`, usable with the grant helpers and anything that takes a KMS key.
   */
  public addKey(id: string, props: ExternalStoreKeyOptions = {}): ExternalStoreKey {
    return new ExternalStoreKey(this, id, { ...props, store: this });
  }

  private addMonitoring(isXks: boolean): void {
    this.createHealthCheck();
    this.createAlarms(isXks);
    this.routeAlarms();
    this.acknowledgeHealthCheckRules();
  }

  /** A function that publishes the store's connection state every 5 minutes (KMS publishes no such metric). */
  private createHealthCheck(): void {
    const healthLogs = new logs.LogGroup(this, 'HealthCheckLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: operationalLogKey(this, this.profile),
    });
    const healthRole = new iam.Role(this, 'HealthCheckRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Reads the connection state of ${this.node.path}`,
    });
    new iam.ManagedPolicy(this, 'HealthCheckPolicy', {
      roles: [healthRole],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [healthLogs.logGroupArn] }),
        new iam.PolicyStatement({ actions: ['kms:DescribeCustomKeyStores'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': HEALTH_NAMESPACE } },
        }),
      ],
    });
    const health = new StoreHealthFunction(this, 'HealthCheck', {
      description: `Publishes the connection state of ${this.node.path}`,
      timeout: Duration.seconds(30),
      role: healthRole,
      logGroup: healthLogs,
      environment: { CUSTOM_KEY_STORE_ID: this.customKeyStoreId },
    });
    new events.Rule(this, 'HealthSchedule', {
      description: `Checks the connection state of ${this.node.path} every 5 minutes`,
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(health)],
    });
  }

  private createAlarms(isXks: boolean): void {
    const storeId = this.customKeyStoreId;
    this.alarms.push(new cloudwatch.Alarm(this, 'ConnectionAlarm', {
      alarmDescription: `${this.node.path} is not CONNECTED: keys in it cannot be used (see its ConnectionErrorCode)`,
      metric: new cloudwatch.Metric({
        namespace: HEALTH_NAMESPACE,
        metricName: CONNECTED_METRIC,
        dimensionsMap: { CustomKeyStoreId: storeId },
        statistic: cloudwatch.Stats.MINIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      // No data means the health check itself stopped: that is an alarm too.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    const insights = (id: string, description: string, query: string, threshold: number, op: cloudwatch.ComparisonOperator) =>
      this.alarms.push(new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric: new cloudwatch.MathExpression({ expression: query, period: Duration.minutes(5), label: id }),
        threshold,
        comparisonOperator: op,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    if (isXks) {
      insights('XksProxyErrorsAlarm', `The XKS proxy of ${this.node.path} returned errors to KMS`,
        `SELECT SUM(XksProxyErrors) FROM "AWS/KMS" WHERE CustomKeyStoreId = '${storeId}'`, 0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
      insights('XksCredentialAgeAlarm', `The XKS proxy credential of ${this.node.path} is over 90 days old: rotate it`,
        `SELECT MAX(XksProxyCredentialAge) FROM "AWS/KMS" WHERE CustomKeyStoreId = '${storeId}'`, 90,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
    } else {
      insights('HsmUnhealthyAlarm', `An HSM of the cluster behind ${this.node.path} is unhealthy`,
        `SELECT MAX(HsmUnhealthy) FROM "AWS/CloudHSM" WHERE ClusterId = '${this.backend._cloudHsm!.cluster.clusterId}'`, 0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
    }
  }

  /** The alarms notify the audit topic; without an audit sink they notify no one, which the rule packs are told. */
  private routeAlarms(): void {
    if (this.auditSink) {
      const action = new cloudwatchActions.SnsAction(this.auditSink.alarmTopic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    } else {
      for (const alarm of this.alarms) {
        acknowledgeRules(alarm, this, [...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-CloudWatchAlarmAction`),
          // AWS Control Tower CT.CLOUDWATCH.PR.1, as the CfnGuardValidator plugin names it.
          'cdk-validator-cfnguard::cloudwatch_alarm_action_check'].map((id) => ({
          id,
          reason: 'No audit sink was given (the profile does not require one), so the alarm has no SNS action; add an auditSink to be notified.',
        })));
      }
    }
  }

  private acknowledgeHealthCheckRules(): void {
    acknowledgeRules(this, this, [
      // AWS Control Tower CT.LAMBDA.PR.3, as the CfnGuardValidator plugin names it.
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: 'The health check only calls the KMS and CloudWatch APIs.' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The health check reads kms:DescribeCustomKeyStores, which has no resource-level permissions, and writes cloudwatch:PutMetricData limited to the CloudKmsConstructs namespace.' },
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
        { id: `${pack}-LambdaInsideVPC`, reason: 'The health check only calls the KMS and CloudWatch APIs.' },
      ]),
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
        { id: `${pack}-LambdaConcurrency`, reason: 'The health check runs once every five minutes.' },
        { id: `${pack}-LambdaDLQ`, reason: 'A failed check publishes no metric, which the connection alarm treats as breaching.' },
      ]),
    ]);
  }

  private recordEvidence(resource: CustomResource, name: string): void {
    const ledger = EvidenceLedger.of(this);
    const stack = Stack.of(this);
    const hsm = this.backend._cloudHsm;
    ledger.registerContainer({
      path: this.node.path,
      stack: stack.node.path,
      cloud: 'aws',
      kind: hsm ? 'AWS CloudHSM key store' : `external key store (XKS, ${this.backend._connectivity})`,
      custody: KeyCustody.CUSTOMER_EXTERNAL,
      fipsLevel: this.backend.fipsLevel,
      parent: hsm?.cluster.node.path,
      regions: stackRegions(this),
    });
    const res = (resource.node.defaultChild as Construct | undefined)?.node.path ?? resource.node.path;
    recordStackResidency(this, res, this.profile, hsm ? 'the key store and its CloudHSM cluster' : 'the key store\'s record in KMS',
      hsm ? undefined : 'the key material itself is in the customer\'s external key manager, whose location no configuration shows');
    ledger.record({
      control: Control.NIST_SC_12,
      status: EvidenceStatus.SATISFIED,
      subject: this.node.path,
      resource: res,
      setting: 'CustomKeyStoreType',
      value: this.backend.storeType,
      description: `custom key store ${name}: key material stays in ${hsm ? 'your CloudHSM cluster' : 'your external key manager'}; credentials come from Secrets Manager`,
    });
    ledger.record({
      control: Control.NIST_AU_6,
      status: this.auditSink ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      subject: this.node.path,
      resource: res,
      setting: 'alarms',
      value: this.alarms.map((a) => a.node.id).join(', '),
      description: this.auditSink ? 'connection state and key-manager health alarms notify the audit topic' : 'alarms exist but notify no one: no audit sink',
    });
  }
}
