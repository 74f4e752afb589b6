import { CfnResource, CustomResource, Duration, Names, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CloudHsmCluster } from './cloudhsm-cluster';
import { GrantConditions, KeyCustodians } from './custodians';
import { DECRYPT_ACTIONS, ENCRYPT_ACTIONS } from './key-policy-actions';
import { checkAuditSink, checkDeletionWindowDays, checkFipsLevel, checkModelAllowed } from '../core/checks';
import { Control } from '../core/controls';
import { DeploymentModel, KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { ACCESS_CONTROLS, CUSTODY_CONTROLS, DELETION_CONTROLS } from '../core/key-evidence';
import { ComplianceProfile } from '../core/profile';
import { PROFILE_METADATA_KEY, profileRecord } from '../core/profile-record';
import { days, requireDefined, requireRange, shown, ValidationError } from '../core/validation';
import { CONNECTED_METRIC, HEALTH_NAMESPACE, KEY_STORE_TYPE, STORE_KEY_TYPE } from './handlers/resource-types';
import { StoreHealthFunction } from './handlers/store-health-function';
import { IKeyAuditSink } from './key-audit-sink';
import { registerAccessPolicy } from './private/access-policy';
import { acknowledgeRules } from './private/acknowledge';
import { CustodianPolicy } from './private/custodian-policy';
import {
  literalDuration, nonBlankString, optionalAuditSink, optionalDescription, optionalProfile, optionalRemovalPolicy, requireProps, shownHead,
} from './private/input-checks';
import { KMS_WINDOW_MAX_DAYS, KMS_WINDOW_MIN_DAYS, normalizeAlias, normalizeAliases } from './private/key-settings';
import { operationalLogKey } from './private/log-key';
import { requireCustodians } from './private/principals';
import { KmsResourceProvider, ProviderKind } from './private/providers';
import { addRotationReminder } from './private/reminders';

/** Options common to both XKS connectivity choices. */
export interface XksProxyOptions {
  /** The proxy endpoint, `https://host[:port]` with no path. */
  readonly uriEndpoint: string;
  /**
   * The proxy path: an optional prefix followed by `/kms/xks/v1`.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/create-xks-keystore.html#require-path
   */
  readonly uriPath: string;
  /**
   * A Secrets Manager secret holding the proxy authentication credential as JSON
   * `{"accessKeyId": "...", "secretAccessKey": "..."}`. Read by the handler at deployment, never put in the template.
   */
  readonly credential: secretsmanager.ISecret;
  /** The FIPS 140 level your external key manager is validated at (what the profile is checked against). */
  readonly externalKeyManagerFipsLevel: FipsLevel;
}

/** XKS proxy reached through a VPC endpoint service. */
export interface XksVpcEndpointServiceOptions extends XksProxyOptions {
  /** Name of the VPC endpoint service, `com.amazonaws.vpce.<region>.vpce-svc-…`. */
  readonly vpcEndpointServiceName: string;
}

/** A CloudHSM key store. */
export interface CloudHsmKeyStoreOptions {
  /** The cluster, initialized and activated (see the README runbook), with the `kmsuser` crypto user created. */
  readonly cluster: CloudHsmCluster;
  /** PEM of the CA certificate that signed the cluster certificate (public; not a secret). */
  readonly trustAnchorCertificate: string;
  /** A Secrets Manager secret holding the `kmsuser` password (a plain string, or JSON with `password`). */
  readonly kmsUserPassword: secretsmanager.ISecret;
}

/**
 * Where the keys of a `HyokExternalStore` live.
 */
export class KeyStoreBackend {
  /** An external key manager behind an XKS proxy on a public endpoint. */
  public static xksPublicEndpoint(options: XksProxyOptions): KeyStoreBackend {
    requireXksOptions(options, false);
    return new KeyStoreBackend('EXTERNAL_KEY_STORE', 'PUBLIC_ENDPOINT', options, undefined, undefined);
  }

  /** An external key manager behind an XKS proxy reached through a VPC endpoint service. */
  public static xksVpcEndpointService(options: XksVpcEndpointServiceOptions): KeyStoreBackend {
    requireXksOptions(options, true);
    return new KeyStoreBackend('EXTERNAL_KEY_STORE', 'VPC_ENDPOINT_SERVICE', options, options.vpcEndpointServiceName, undefined);
  }

  /** A CloudHSM cluster you own. */
  public static cloudHsm(options: CloudHsmKeyStoreOptions): KeyStoreBackend {
    requireProps(options, 'KeyStoreBackend.cloudHsm');
    if (!(requireDefined('cluster', options.cluster) instanceof CloudHsmCluster)) {
      throw new ValidationError(`cluster must be a CloudHsmCluster, got ${shown(options.cluster)}`);
    }
    nonBlankString('trustAnchorCertificate', requireDefined('trustAnchorCertificate', options.trustAnchorCertificate));
    requireSecret('kmsUserPassword', options.kmsUserPassword);
    return new KeyStoreBackend('AWS_CLOUDHSM', undefined, undefined, undefined, options);
  }

  /** `EXTERNAL_KEY_STORE` or `AWS_CLOUDHSM`. */
  public readonly storeType: string;
  /** The `Origin` of keys in the store. */
  public readonly keyOrigin: string;
  /** FIPS 140 level of the module holding the key material. */
  public readonly fipsLevel: FipsLevel;
  /** @internal */
  public readonly _xks?: XksProxyOptions;
  /** @internal */
  public readonly _connectivity?: string;
  /** @internal */
  public readonly _vpcEndpointServiceName?: string;
  /** @internal */
  public readonly _cloudHsm?: CloudHsmKeyStoreOptions;

  private constructor(storeType: string, connectivity: string | undefined, xks: XksProxyOptions | undefined,
    vpcEndpointServiceName: string | undefined, cloudHsm: CloudHsmKeyStoreOptions | undefined) {
    this.storeType = storeType;
    this.keyOrigin = storeType === 'EXTERNAL_KEY_STORE' ? 'EXTERNAL_KEY_STORE' : 'AWS_CLOUDHSM';
    this._xks = xks;
    this._connectivity = connectivity;
    this._vpcEndpointServiceName = vpcEndpointServiceName;
    this._cloudHsm = cloudHsm;
    this.fipsLevel = xks ? xks.externalKeyManagerFipsLevel : FipsLevel.LEVEL_3;
    if (xks) validateXks(xks, vpcEndpointServiceName);
    if (cloudHsm && !Token.isUnresolved(cloudHsm.trustAnchorCertificate) && !cloudHsm.trustAnchorCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ValidationError(`trustAnchorCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----), got ${shownHead(cloudHsm.trustAnchorCertificate)}`);
    }
  }
}

function requireSecret(prop: string, secret: secretsmanager.ISecret | undefined): void {
  const value = requireDefined(prop, secret);
  if (typeof value !== 'object' || typeof value.secretArn !== 'string' || typeof value.grantRead !== 'function') {
    throw new ValidationError(`${prop} must be a Secrets Manager secret (ISecret), got ${shown(value)}`);
  }
}

function requireXksOptions(o: XksProxyOptions | XksVpcEndpointServiceOptions, vpcEndpointService: boolean): void {
  requireProps(o, vpcEndpointService ? 'KeyStoreBackend.xksVpcEndpointService' : 'KeyStoreBackend.xksPublicEndpoint');
  nonBlankString('uriEndpoint', requireDefined('uriEndpoint', o.uriEndpoint));
  nonBlankString('uriPath', requireDefined('uriPath', o.uriPath));
  requireSecret('credential', o.credential);
  if (!Object.values(FipsLevel).includes(requireDefined('externalKeyManagerFipsLevel', o.externalKeyManagerFipsLevel))) {
    throw new ValidationError(`externalKeyManagerFipsLevel must be a FipsLevel such as FipsLevel.LEVEL_3, got ${shown(o.externalKeyManagerFipsLevel)}`);
  }
  if (vpcEndpointService) {
    nonBlankString('vpcEndpointServiceName', requireDefined('vpcEndpointServiceName', (o as XksVpcEndpointServiceOptions).vpcEndpointServiceName));
  }
}

function validateXks(o: XksProxyOptions, serviceName?: string): void {
  if (!Token.isUnresolved(o.uriEndpoint) && !/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o.uriEndpoint)) {
    throw new ValidationError(`uriEndpoint must be https://<host>[:port] with no path, got ${shown(o.uriEndpoint)}`);
  }
  if (!Token.isUnresolved(o.uriPath) && !/^(\/[A-Za-z0-9._~-]+)*\/kms\/xks\/v1$/.test(o.uriPath)) {
    throw new ValidationError(`uriPath must be an optional prefix followed by /kms/xks/v1, got ${shown(o.uriPath)}`);
  }
  if (serviceName !== undefined && !Token.isUnresolved(serviceName) && !/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+$/.test(serviceName)) {
    throw new ValidationError(`vpcEndpointServiceName must look like com.amazonaws.vpce.<region>.vpce-svc-<id>, got ${shown(serviceName)}`);
  }
}

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
 * Properties of a key made with `HyokExternalStore.addKey`.
 */
export interface ExternalStoreKeyProps {
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
 * Hold your own key: a KMS custom key store whose key material never leaves hardware you control, either an
 * external key manager behind an XKS proxy (`EXTERNAL_KEY_STORE`) or your CloudHSM cluster (`AWS_CLOUDHSM`).
 * CloudFormation has no resource for either, so the store and its keys are custom resources.
 *
 * Credentials come from Secrets Manager at deployment and never appear in the template. The store is connected,
 * watched (a health check publishes its connection state; CloudWatch alarms on it and on the KMS XKS metrics go to
 * the audit sink), and retained by default.
 */
export class HyokExternalStore extends Construct {
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
  public addKey(id: string, props: ExternalStoreKeyProps = {}): ExternalStoreKey {
    return new ExternalStoreKey(this, id, { ...props, store: this });
  }

  private addMonitoring(isXks: boolean): void {
    const healthLogs = new logs.LogGroup(this, 'HealthCheckLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: operationalLogKey(this),
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
    });
    const res = (resource.node.defaultChild as Construct | undefined)?.node.path ?? resource.node.path;
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

/**
 * Properties of an `ExternalStoreKey`.
 */
export interface ExternalStoreKeyOptions extends ExternalStoreKeyProps {
  /** The store the key lives in. */
  readonly store: HyokExternalStore;
}

/**
 * A KMS key in a custom key store (XKS or CloudHSM), made through a custom resource. It is an `IKey`: grants go into
 * its key policy under the separation-of-duties rules, and aliases work as for any key.
 */
export class ExternalStoreKey extends Resource implements kms.IKey {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly store: HyokExternalStore;
  public readonly model: DeploymentModel;
  /** Whether destructive operations are held by approvers with MFA. */
  public readonly dualControl: boolean;
  private readonly custodianPolicy: CustodianPolicy;
  private aliasCount = 0;

  constructor(scope: Construct, id: string, props: ExternalStoreKeyOptions) {
    super(scope, id);
    requireProps(props, 'ExternalStoreKey');
    const store = requireDefined('store', props.store);
    if (!(store instanceof HyokExternalStore)) throw new ValidationError(`store must be a HyokExternalStore, got ${shown(store)}`);
    const profile = store.profile;
    const subject = this.node.path;
    const isXks = store.backend.storeType === 'EXTERNAL_KEY_STORE';
    // Only absence means "not given": '' or ' ' is a bad value, reported as such (quoted), not as a missing one.
    const xksKeyId = props.xksKeyId ?? undefined;
    if (isXks && xksKeyId === undefined) {
      throw new ValidationError(`xksKeyId is required for keys in external key store ${store.node.path}, got nothing`);
    }
    if (!isXks && xksKeyId !== undefined) {
      throw new ValidationError(`xksKeyId applies only to external key stores; ${store.node.path} is a CloudHSM key store, got ${shown(xksKeyId)}`);
    }
    if (xksKeyId !== undefined && !Token.isUnresolved(xksKeyId) && (typeof xksKeyId !== 'string' || !/^[a-zA-Z0-9-_.]{1,128}$/.test(xksKeyId))) {
      throw new ValidationError(`xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got ${shownHead(xksKeyId)}`);
    }
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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const provider = KmsResourceProvider.of(this, ProviderKind.STORE_KEY);
    this.custodianPolicy = new CustodianPolicy(this, {
      subject,
      profile,
      // A key's own custodians may leave out administrators: the store's administrators administer every key in it
      // (as on Azure and Google Cloud). Anything else given that is not an object is refused by CustodianPolicy.
      custodians: props.custodians === undefined ? store.custodians
        : typeof props.custodians === 'object' && props.custodians !== null && props.custodians.administrators === undefined
          ? { ...props.custodians, administrators: store.custodians.administrators } : props.custodians,
      importersRequired: false,
      // KMS checks the key policy lets its creator (the handler) change it again.
      deploymentPrincipal: new iam.ArnPrincipal(provider.handlerRole.roleArn),
      deployerDescription: 'the handler role',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      delegateToIam: false,
      removalPolicy,
    });
    this.store = store;
    this.model = DeploymentModel.HYOK;
    this.dualControl = this.custodianPolicy.dualControl;

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: STORE_KEY_TYPE,
      removalPolicy,
      properties: {
        CustomKeyStoreId: store.customKeyStoreId,
        Origin: store.backend.keyOrigin,
        XksKeyId: props.xksKeyId,
        Description: props.description ?? `${DeploymentModel.HYOK.title} under profile ${profile.name} (${subject})`,
        KeyPolicy: this.custodianPolicy.document,
        BypassPolicyLockoutSafetyCheck: this.custodianPolicy.dualControl ? 'true' : undefined,
        PendingWindowInDays: String(windowDays),
        Tags: [{ TagKey: 'cloud-kms:construct', TagValue: subject.slice(0, 256) }],
      },
    });
    this.keyArn = resource.getAttString('Arn');
    this.keyId = resource.getAttString('KeyId');
    this.custodianPolicy.bind(this);

    for (const alias of aliases) this.addAlias(alias);
    if (store.auditSink) {
      addRotationReminder(this, store.auditSink, reminderDays, subject,
        `Rotate ${subject} (${this.keyArn}): KMS cannot rotate keys in a custom key store. Create a new external key ` +
        'and a new key with HyokExternalStore.addKey, re-encrypt or let old data age out, then move the alias.');
    }
    this.recordEvidence(resource, reminderDays, windowDays, removalPolicy);
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

  private recordEvidence(resource: CustomResource, reminderDays: number, windowDays: number, removalPolicy: RemovalPolicy): void {
    const ledger = EvidenceLedger.of(this);
    const store = this.store;
    const res = (resource.node.defaultChild as Construct | undefined)?.node.path ?? resource.node.path;
    // `cloud-kms check` and KmsRulesPlugin read the template, not the construct tree: the key carries its own profile.
    (resource.node.defaultChild as CfnResource).addMetadata(PROFILE_METADATA_KEY, profileRecord(store.profile));
    ledger.registerKey({
      path: this.node.path,
      stack: Stack.of(this).node.path,
      cloud: 'aws',
      constructName: 'HyokExternalStore.addKey',
      model: DeploymentModel.HYOK,
      profile: store.profile,
      fipsLevel: store.backend.fipsLevel,
      auditSink: store.auditSink?.node.path,
      parent: store.node.path,
    });
    registerAccessPolicy(this, () => this.custodianPolicy.document);
    const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource: res, setting, value, description });
    };
    const satisfied = (ok: boolean) => (ok ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED);
    record(CUSTODY_CONTROLS, EvidenceStatus.SATISFIED, 'Origin', store.backend.keyOrigin,
      `key material held outside AWS KMS, in ${store.backend._cloudHsm ? 'your CloudHSM cluster' : 'your external key manager'} ` +
      `(declared FIPS 140 ${store.backend.fipsLevel.replace('LEVEL_', 'Level ')})`);
    record([Control.NIST_SC_12, Control.NIST_800_57_CRYPTOPERIOD, Control.PCI_3_7_4, Control.ISO_A_8_24], EvidenceStatus.SATISFIED,
      'rotation reminder', `${reminderDays} days`,
      `KMS cannot rotate keys in custom key stores: rotated by a new key and alias swap every ${days(reminderDays)}` +
      `${store.auditSink ? ', with a scheduled reminder to the audit topic' : ' (no audit sink, so no reminder is sent)'}`);
    record(DELETION_CONTROLS, satisfied(removalPolicy === RemovalPolicy.RETAIN), 'PendingWindowInDays, DeletionPolicy',
      `${windowDays}, ${removalPolicy}`, `deletion waits ${windowDays} days and can be cancelled`);
    record(ACCESS_CONTROLS, EvidenceStatus.SATISFIED, 'KeyPolicy', 'separation of duties', this.custodianPolicy.separationEvidence!);
    record([Control.PCI_3_7_6], satisfied(this.dualControl), 'KeyPolicy', this.dualControl ? 'dual control' : 'none',
      this.custodianPolicy.dualControlEvidence ?? 'no dual control on destructive key operations');
    record([Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.SOC2_CC7_2],
      satisfied(store.auditSink !== undefined), 'auditSink', store.auditSink?.node.path ?? 'none',
      store.auditSink ? `key events recorded by the audit sink ${store.auditSink.node.path}` : 'no audit sink attached');
  }
}
