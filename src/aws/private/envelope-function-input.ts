import { Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { localKeyArn } from './envelope-function-key';
import { ComplianceProfile } from '../../core/profile';
import { checkResidency } from '../../core/residency';
import { isTokenValue, shown, ValidationError } from '../../core/validation';
import { EnvelopeEncryptionFunctionProps, EnvelopeSuite, TenantResolution } from '../envelope-encryption-function-props';
import { describeSelection, literalDuration, optionalList, optionalProfile, quoted, requireProps, selectSubnets, wholeNumber } from './input';
import { checkStackResidency } from './residency';

/** An `EnvelopeEncryptionFunction`'s props, checked, with their defaults. */
export interface EnvelopeFunctionInput {
  /** Tenant mode: how the caller's tenant is learned. */
  readonly resolution?: TenantResolution;
  /** Tenant mode with principal-tag resolution: the server id callers sign into their proofs. */
  readonly callerProofServerId?: string;
  /** Encryption-context keys every request must carry (the hierarchy's included). */
  readonly required: string[];
  readonly cacheAgeMs: number;
  readonly cacheMessages: number;
  readonly maxRecordBytes: number;
  readonly concurrency: number;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly profile: ComplianceProfile;
}

/** Checks every prop, in the order the errors have always come in, before the function creates anything. */
export function resolveEnvelopeFunctionInput(scope: IConstruct, props: EnvelopeEncryptionFunctionProps): EnvelopeFunctionInput {
  const { resolution, callerProofServerId } = checkKeySource(scope, props);
  const required = requiredContextKeys(scope, props);
  const limits = checkLimits(props);
  const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
  // The function holds plaintext and cached data keys while it runs: it is where the data is.
  checkStackResidency(scope, profile, `envelope function ${scope.node.path}`);
  if (props.key) checkKeyRegion(scope, props.key, profile);
  return { resolution, callerProofServerId, required, ...limits, profile };
}

/**
 * The data keys come from the KMS the function calls, in the region of the key ARN it is given (for a multi-Region key
 * from another region: its replica here, `localKeyArn`). Under a profile that restricts regions that region must be
 * one the profile allows, and known: a key ARN that is a token (`Fn.importValue`, a cross-region reference) may name a
 * key anywhere, so it is refused unless the key is a construct of this app whose stack has a literal region.
 */
function checkKeyRegion(scope: IConstruct, key: kms.IKey, profile: ComplianceProfile): void {
  if (!profile.restrictsRegions) return;
  const arn = localKeyArn(scope, key);
  const literal = Token.isUnresolved(arn) ? undefined : /^arn:[a-z-]+:kms:([a-z0-9-]+):/.exec(arn)?.[1];
  // A key this app builds (a kms.Key, a CustomerManagedKey, a gated ReplicaKey whose default child is its replica
  // check) is in its stack's region; an imported key (kms.Key.fromKeyArn) has no child and only its ARN says where it is.
  const owned = Resource.isOwnedResource(key) || key.node.defaultChild !== undefined ? Stack.of(key).region : undefined;
  const region = literal ?? (owned !== undefined && !Token.isUnresolved(owned) ? owned : undefined);
  checkResidency(profile, `the region of key ${key.node.path} (where envelope function ${scope.node.path} gets its data keys)`, region,
    'give the key as a construct of a stack with an explicit env.region, or by a literal key ARN');
}

/** `key` or `tenants`, and how a tenant-aware function learns the caller's tenant. */
function checkKeySource(scope: IConstruct, props: EnvelopeEncryptionFunctionProps): { resolution?: TenantResolution; callerProofServerId?: string } {
  let callerProofServerId: string | undefined;
  requireProps(props, 'EnvelopeEncryptionFunction');
  if ((props.key === undefined) === (props.tenants === undefined)) {
    throw new ValidationError(`give exactly one of key and tenants for ${scope.node.path}, got ${props.key ? 'both' : 'neither'}`);
  }
  if (props.key !== undefined && (typeof props.key !== 'object' || typeof props.key.keyArn !== 'string' || !props.key.node)) {
    throw new ValidationError(`key must be a KMS key (kms.IKey), got ${shown(props.key)}`);
  }
  if (props.tenants !== undefined && (typeof props.tenants !== 'object' || typeof props.tenants.contextKey !== 'string' || typeof props.tenants.keyFor !== 'function')) {
    throw new ValidationError(`tenants must be a TenantKeyHierarchy, got ${shown(props.tenants)}`);
  }
  if (props.tenantResolution !== undefined && !(props.tenantResolution instanceof TenantResolution)) {
    throw new ValidationError(`tenantResolution must be TenantResolution.principalTag() or TenantResolution.claim(...), got ${shown(props.tenantResolution)}`);
  }
  if (props.logEncryptionKey !== undefined && (typeof props.logEncryptionKey !== 'object' || typeof props.logEncryptionKey.keyArn !== 'string')) {
    throw new ValidationError(`logEncryptionKey must be a KMS key (kms.IKey), got ${shown(props.logEncryptionKey)}`);
  }
  optionalProfile('profile', props.profile);
  if (props.tenantResolution && !props.tenants) {
    throw new ValidationError(`tenantResolution applies only with tenants, for ${scope.node.path}`);
  }
  const resolution = props.tenants ? props.tenantResolution ?? TenantResolution.principalTag() : undefined;
  if (props.callerProofServerId !== undefined && resolution?.source !== 'principalTag') {
    throw new ValidationError(`callerProofServerId applies only with tenants and principal-tag resolution, got ${shown(props.callerProofServerId)} for ${scope.node.path}`);
  }
  if (resolution?.source === 'principalTag') {
    callerProofServerId = props.callerProofServerId ?? `cloud-kms:${scope.node.path.replace(/[^\x21-\x7e]/g, '-')}`;
    if (typeof callerProofServerId !== 'string'
      || (!Token.isUnresolved(callerProofServerId) && !/^[\x21-\x7e]{1,256}$/.test(callerProofServerId))) {
      throw new ValidationError(`callerProofServerId must be 1 to 256 printable characters without spaces, got ${quoted(callerProofServerId)}`);
    }
  }
  return { resolution, callerProofServerId };
}

function requiredContextKeys(scope: IConstruct, props: EnvelopeEncryptionFunctionProps): string[] {
  const userKeys = optionalList('requiredContextKeys', props.requiredContextKeys);
  // A list token (a CommaDelimitedList parameter: one '#{Token[..]}' element, which Token.isUnresolved does not see)
  // or a string token: each key becomes a policy condition key (kms:EncryptionContext:<key>) and part of the
  // function's environment, which cannot come from a token.
  if (isTokenValue(userKeys)) {
    throw new ValidationError(`requiredContextKeys must be literal keys (each becomes part of a policy condition key, which cannot come from a token), got ${shown(userKeys.length === 1 ? userKeys[0] : userKeys)}`);
  }
  for (const k of userKeys) {
    if (typeof k !== 'string' || k.trim().length === 0 || k.startsWith('aws-crypto-') || k.includes(',')) {
      throw new ValidationError(`requiredContextKeys must be non-empty, without commas and not start with aws-crypto-, got ${shown(k)}`);
    }
  }
  // The hierarchy's context key joins the list; a key named twice is required once.
  const required = [...userKeys, ...(props.tenants ? [props.tenants.contextKey] : [])]
    .filter((k, i, all) => all.indexOf(k) === i);
  if (required.length === 0) {
    throw new ValidationError(`requiredContextKeys must name at least one encryption-context key for ${scope.node.path}, got none`);
  }
  return required;
}

/** Cache, record size, concurrency, memory and timeout, suite, log retention and network settings. */
function checkLimits(props: EnvelopeEncryptionFunctionProps) {
  const cacheAge = literalDuration('cacheMaxAge', props.cacheMaxAge) ?? Duration.minutes(5);
  const cacheAgeMs = cacheAge.toMilliseconds({ integral: false });
  if (!Number.isInteger(cacheAgeMs) || cacheAgeMs < 0 || cacheAgeMs > 86_400_000) {
    throw new ValidationError(`cacheMaxAge must be a whole number of milliseconds from 0 to 1 day, got ${cacheAge.toHumanString()}`);
  }
  const cacheMessages = wholeNumber('cacheMaxMessages', props.cacheMaxMessages ?? 1000, 1, 2 ** 32, 'messages');
  const maxRecordBytes = wholeNumber('maxRecordBytes', props.maxRecordBytes ?? 4 * 1024 * 1024, 1, Math.floor(4.4 * 1024 * 1024), 'bytes');
  const concurrency = wholeNumber('reservedConcurrentExecutions', props.reservedConcurrentExecutions ?? 10, 1, 1000, 'executions');
  // Lambda: 128 to 10,240 MB in 1-MB steps, a timeout of 1 to 900 whole seconds.
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-MemorySize
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-Timeout
  // A token memory size, or a token timeout in seconds (a Number CfnParameter), passes to the function as before
  // issue 16: Lambda itself refuses an out-of-range value at deployment, and nothing here depends on either.
  const memorySize = typeof props.memorySize === 'number' && Token.isUnresolved(props.memorySize)
    ? props.memorySize : wholeNumber('memorySize', props.memorySize ?? 1024, 128, 10240, 'MB');
  const timeout = props.timeout instanceof Duration && props.timeout.isUnresolved() && props.timeout.unitLabel() === 'seconds'
    ? props.timeout : literalDuration('timeout', props.timeout) ?? Duration.seconds(30);
  const timeoutSeconds = timeout.isUnresolved() ? 30 : timeout.toSeconds({ integral: false });
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw new ValidationError(`timeout must be a whole number of seconds from 1 to 900, got ${timeout.toHumanString()}`);
  }
  if (props.suite !== undefined && !Object.values(EnvelopeSuite).includes(props.suite)) {
    throw new ValidationError(`suite must be one of ${Object.values(EnvelopeSuite).join(', ')}, got ${shown(props.suite)}`);
  }
  if (props.logRetention !== undefined && !Object.values(logs.RetentionDays).includes(props.logRetention)) {
    throw new ValidationError(`logRetention must be a logs.RetentionDays value, got ${shown(props.logRetention)}`);
  }
  if (!props.vpc && props.vpcSubnets !== undefined) {
    throw new ValidationError(`vpcSubnets applies only with vpc, got ${describeSelection(props.vpcSubnets)} and no vpc`);
  }
  if (!props.vpc && props.securityGroups !== undefined) {
    throw new ValidationError(`securityGroups applies only with vpc, got ${describeSecurityGroups(props.securityGroups)} and no vpc`);
  }
  if (props.vpc) selectSubnets('vpcSubnets', props.vpc, props.vpcSubnets);
  return { cacheAgeMs, cacheMessages, maxRecordBytes, concurrency, memorySize, timeout };
}

/** CloudWatch retention periods, in days, as RetentionDays offers them. */
const RETENTION_STEPS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function retentionFor(profile: ComplianceProfile): logs.RetentionDays {
  const days = RETENTION_STEPS.find((d) => d >= profile.auditRetentionDays) ?? 3653;
  return days as logs.RetentionDays;
}

/** Security groups by id, or by construct path where the id is a deploy-time value (a construct is not JSON). */
function describeSecurityGroups(groups: unknown): string {
  if (!Array.isArray(groups)) return shown(groups);
  return `[${groups.map((g) => (g && typeof g === 'object' && typeof g.securityGroupId === 'string' && !Token.isUnresolved(g.securityGroupId)
    ? g.securityGroupId : g && typeof g === 'object' && g.node ? g.node.path : shown(g))).join(', ')}]`;
}
