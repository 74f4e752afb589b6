/*
 * Up-front checks of construct props for plain JavaScript and jsii callers (who can omit a required prop or pass the
 * wrong shape) and for values aws-cdk-lib would otherwise refuse with its own message, or accept into a broken
 * template. Every error names the prop the user wrote and shows the value (tokens as tokens).
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { optionalBoolean, optionalList } from '../../core/input';
import { isTokenValue, shown, ValidationError } from '../../core/validation';

// The cloud-neutral shape checks live in core; the AWS constructs import them from here with the AWS ones.
export { optionalBoolean, optionalList, optionalProfile } from '../../core/input';

/** The props object itself: a JavaScript caller can call `new X(scope, id)` without it. */
export function requireProps<T>(props: T | undefined | null, construct: string): T {
  if (props === undefined || props === null || typeof props !== 'object') {
    throw new ValidationError(`props is required for ${construct}, got ${shown(props)}`);
  }
  return props;
}


/** A list of principals: each entry an IAM principal (not undefined, not a string). */
export function principalList(prop: string, value: readonly iam.IPrincipal[] | undefined): iam.IPrincipal[] {
  const list = optionalList(prop, value);
  list.forEach((p) => {
    if (!p || typeof p !== 'object' || !(p as iam.IPrincipal).policyFragment) {
      throw new ValidationError(`${prop} entries must be IAM principals (e.g. a Role or new ArnPrincipal(...)), got ${shown(p)}`);
    }
  });
  return [...list];
}

/** A required principal prop (e.g. deploymentPrincipal when given). */
export function requirePrincipal(prop: string, value: iam.IPrincipal | undefined): iam.IPrincipal | undefined {
  if (value === undefined) return undefined;
  return principalList(prop, [value])[0];
}

/** A Duration prop: a JavaScript caller can pass a number or string instead. */
export function optionalDuration(prop: string, value: Duration | undefined): Duration | undefined {
  if (value === undefined || value === null) return undefined;
  // Recognised by what the constructs use of it, not instanceof: a Duration from a second copy of aws-cdk-lib (a
  // monorepo with two versions) was accepted before these checks and works the same (as src/terraform/input.ts does).
  const d = value as unknown as Partial<Record<'toDays' | 'toSeconds' | 'toMilliseconds' | 'isUnresolved' | 'unitLabel' | 'toHumanString', unknown>>;
  if (typeof value !== 'object' || ['toDays', 'toSeconds', 'toMilliseconds', 'isUnresolved', 'unitLabel', 'toHumanString']
    .some((m) => typeof d[m as keyof typeof d] !== 'function')) {
    throw new ValidationError(`${prop} must be a Duration (e.g. Duration.days(30)), got ${shown(value)}`);
  }
  return value;
}

/** A number that must not be a token (for props with no deploy-time bound). */
export function literalNumber(prop: string, value: number | undefined): void {
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    throw new ValidationError(`${prop} must be a literal number here (it has no deploy-time bound), got ${shown(value)}`);
  }
}

/**
 * A number prop that must be a whole number in [min, max]. Tokens are refused here; props whose token values are
 * bounded at deploy time use `boundDeployTimeNumber` instead.
 */
export function wholeNumber(prop: string, value: number, min: number, max: number, unit: string): number {
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    throw new ValidationError(`${prop} must be a literal number here (it has no deploy-time bound), got ${shown(value)}`);
  }
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new ValidationError(`${prop} must be between ${min} and ${max} ${unit}, got ${shown(value)}`);
  }
  if (!Number.isInteger(value)) throw new ValidationError(`${prop} must be a whole number of ${unit}, got ${shown(value)}`);
  return value;
}

/** A string prop: a string, non-blank; tokens pass (the caller checks their format where it can). */
export function nonBlankString(prop: string, value: string): string {
  if (typeof value !== 'string') throw new ValidationError(`${prop} must be a string, got ${shown(value)}`);
  if (!isTokenValue(value) && value.trim() === '') throw new ValidationError(`${prop} must not be empty, got ${shown(value)}`);
  return value;
}

/** A literal string in single quotes (as these messages have always shown names), anything else as `shown()` renders it. */
export function quoted(value: unknown): string {
  return typeof value === 'string' && !isTokenValue(value) ? `'${value}'` : shown(value);
}

/**
 * `shown(value)`, but a long string (a certificate, a pasted document) only by its first 40 characters and its
 * length: enough to recognise it, without copying a whole PEM file into the message.
 */
export function shownHead(value: unknown): string {
  if (typeof value !== 'string' || isTokenValue(value) || value.length <= 80) return shown(value);
  return `${shown(value.slice(0, 40))}... (${value.length} characters)`;
}

/** `vpc.selectSubnets`, with the selection's failure reported against the prop the user wrote. */
export function selectSubnets(prop: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): ec2.SelectedSubnets {
  try {
    return vpc.selectSubnets(selection);
  } catch (e) {
    const reason = (e as Error).message.replace(/\s+/g, ' ').replace(/^./, (c) => c.toLowerCase());
    throw new ValidationError(`${prop} selects no subnets of the VPC ${vpc.node.path}, got ${describeSelection(selection)}: ${reason}`);
  }
}

/**
 * Email addresses for SNS email subscriptions. The format is the usual local@domain with a dotted domain; SNS only
 * checks it by sending the confirmation mail, so a bad address would fail silently. Duplicates are refused (one
 * subscription each; addresses compare case-insensitively, as mail domains do and mailboxes almost always do).
 */
export function emailList(prop: string, value: readonly string[] | undefined): string[] {
  const list = optionalList(prop, value);
  const seen = new Map<string, string>();
  for (const email of list) {
    if (typeof email === 'string' && isTokenValue(email)) continue;
    if (typeof email !== 'string' || !/^[^\s@,;<>()"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(email)
      || email.length > 254) {
      throw new ValidationError(`${prop} must be email addresses (name@example.com), got ${shown(email)}`);
    }
    const first = seen.get(email.toLowerCase());
    if (first !== undefined) {
      throw new ValidationError(first === email ? `${prop} lists ${email} twice` : `${prop} lists ${first} and ${email}, which are the same address`);
    }
    seen.set(email.toLowerCase(), email);
  }
  return [...list];
}


/** An optional Duration that must be a literal: for props with no deploy-time bound. */
export function literalDuration(prop: string, value: Duration | undefined): Duration | undefined {
  const d = optionalDuration(prop, value);
  if (d?.isUnresolved()) {
    throw new ValidationError(`${prop} must be a literal Duration here (it has no deploy-time bound), got a Duration of an unresolved token (${d.unitLabel()})`);
  }
  return d;
}


/** A subnet selection as the user wrote it (its subnets by id: a subnet object does not render as JSON). */
export function describeSelection(selection: ec2.SubnetSelection | undefined): string {
  if (selection === undefined) return 'the default selection';
  if (typeof selection !== 'object' || selection === null || Array.isArray(selection)) return shown(selection);
  const parts: string[] = [];
  if (selection.subnetType) parts.push(`subnetType ${selection.subnetType}`);
  if (selection.subnetGroupName) parts.push(`subnetGroupName ${shown(selection.subnetGroupName)}`);
  if (selection.availabilityZones) parts.push(`availabilityZones ${shown(selection.availabilityZones)}`);
  if (selection.subnets) parts.push(`subnets ${selection.subnets.map((sn) => (isTokenValue(sn.subnetId) ? sn.node.path : sn.subnetId)).join(', ')}`);
  if (selection.onePerAz) parts.push('onePerAz');
  if (selection.subnetFilters) parts.push(`${selection.subnetFilters.length} subnetFilters`);
  return parts.length > 0 ? `{ ${parts.join(', ')} }` : '{}';
}

/** The props of a KMS key construct that aws-cdk-lib would pass into the template unchecked. */
export function checkKeyShape(props: {
  readonly keySpec?: kms.KeySpec;
  readonly keyUsage?: kms.KeyUsage;
  readonly multiRegion?: boolean;
  readonly delegateToIam?: boolean;
  readonly description?: string;
  readonly removalPolicy?: RemovalPolicy;
}): void {
  if (props.keySpec !== undefined && !Object.values(kms.KeySpec).includes(props.keySpec)) {
    throw new ValidationError(`keySpec must be a kms.KeySpec value, got ${shown(props.keySpec)}`);
  }
  if (props.keyUsage !== undefined && !Object.values(kms.KeyUsage).includes(props.keyUsage)) {
    throw new ValidationError(`keyUsage must be a kms.KeyUsage value, got ${shown(props.keyUsage)}`);
  }
  optionalBoolean('multiRegion', props.multiRegion);
  optionalBoolean('delegateToIam', props.delegateToIam);
  optionalRemovalPolicy('removalPolicy', props.removalPolicy);
  optionalDescription('description', props.description);
}

export function optionalRemovalPolicy(prop: string, value: RemovalPolicy | undefined): void {
  if (value !== undefined && !Object.values(RemovalPolicy).includes(value)) {
    throw new ValidationError(`${prop} must be a RemovalPolicy value, got ${shown(value)}`);
  }
}

/**
 * A KMS key description: up to 8,192 characters; an empty or blank one says nothing, so it is refused.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-Description
 */
export function optionalDescription(prop: string, value: string | undefined): void {
  if (value === undefined) return;
  nonBlankString(prop, value);
  if (!isTokenValue(value) && value.length > 8192) {
    throw new ValidationError(`${prop} must be at most 8192 characters, got ${value.length}`);
  }
}


/**
 * An audit sink (IKeyAuditSink): its node, immutability and retention are read by the key constructs (its alarm topic
 * only later: a KeyAuditSink's own key is made before its topic).
 */
export function optionalAuditSink<T>(prop: string, value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  const v = value as unknown as { node?: unknown; immutable?: unknown; retentionDays?: unknown };
  if (!v || typeof v !== 'object' || !v.node || typeof v.immutable !== 'boolean' || typeof v.retentionDays !== 'number') {
    throw new ValidationError(`${prop} must be a KeyAuditSink (IKeyAuditSink), got ${shown(value)}`);
  }
  return value;
}
