import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { AuditSinkRef } from './audit-sink-ref';
import { ReplicationSource, replicationSourceOf } from './replica-source';
import { checkAuditSink } from '../../core/checks';
import { shown, ValidationError } from '../../core/validation';

/** Where a replica goes, once checked: a region of the same account other than the primary's, allowed by the profile. */
export interface ReplicaPlacement {
  readonly source: ReplicationSource;
  readonly region: string;
  readonly primaryRegion: string;
}

/**
 * Checks a replica's primary and stack before anything is created: a multi-Region primary made by this library, in
 * another region of the same account, in a region the profile allows, reachable from the replica's
 * stack (CDK cross-region references).
 */
export function checkReplicaPlacement(scope: IConstruct, subject: string, primary: unknown): ReplicaPlacement {
  const source = replicationSourceOf(primary);
  if (!source) {
    throw new ValidationError(`primary must be a CustomerManagedKey or ByokImport of this library for ${subject}, got ${shown(primary)}`);
  }
  if (!source.multiRegion) {
    throw new ValidationError(`primary ${source.key.node.path} must be a multi-Region key (multiRegion: true) to be replicated, got multiRegion: false`);
  }
  const stack = Stack.of(scope);
  const primaryStack = Stack.of(source.key);
  for (const [what, s] of [['replica', stack], ['primary', primaryStack]] as const) {
    if (Token.isUnresolved(s.region) || Token.isUnresolved(s.account)) {
      throw new ValidationError(`the ${what}'s stack ${s.stackName} must set env.account and env.region (a replica is created in a named region ` +
        `of the primary's account), got account ${shown(s.account)} and region ${shown(s.region)}`);
    }
  }
  if (stack.account !== primaryStack.account) {
    throw new ValidationError(`the replica's stack ${stack.stackName} must be in the primary's account ${primaryStack.account} ` +
      `(KMS replicates only within an account), got env.account ${stack.account}`);
  }
  if (stack.region === primaryStack.region) {
    throw new ValidationError(`the replica's stack ${stack.stackName} must be in another region than the primary's (${primaryStack.region}), ` +
      `got env.region ${stack.region}`);
  }
  const profile = source.settings.profile;
  if (!profile.allowsRegion(stack.region)) {
    throw new ValidationError(`the replica's region (env.region of stack ${stack.stackName}) must be one profile ${profile.name} allows ` +
      `(${profile.allowedRegions.join(', ')}), got ${stack.region}`);
  }
  if (!(stack as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences) {
    // The replica's template needs the primary's ARN (PrimaryKeyArn), which exists only once the primary's stack is
    // deployed: CDK carries it across regions in SSM parameters, and only for stacks that ask for it.
    // @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StackProps.html#crossregionreferences
    throw new ValidationError(`the replica's stack ${stack.stackName} must set crossRegionReferences: true (the primary's key ARN reaches ` +
      `${stack.region} from ${primaryStack.region} as a CDK cross-region reference), got ${shown((stack as any)._crossRegionReferences)}`);
  }
  if (source.settings.deletionWindow.isUnresolved()) {
    throw new ValidationError(`the primary ${source.key.node.path} must have a literal deletionWindow for its replica to wait as long, ` +
      `got ${shown(source.settings.deletionWindow.toDays())}`);
  }
  return { source, region: stack.region, primaryRegion: primaryStack.region };
}

/**
 * CloudFormation creates a replica (AWS::KMS::ReplicaKey) with the credentials of the replica stack's deployment
 * principal: it calls ReplicateKey on the primary and cannot skip KMS's policy lockout check, so the replica's policy
 * would have to give that principal PutKeyPolicy, and the primary's would have to give it ReplicateKey, with which it
 * alone could create a replica under a policy of its choosing that decrypts everything the primary encrypted. Under
 * dual control neither is allowed: replication goes through the dual-control gate (a ReplicateKey proposal).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html#KMS-ReplicateKey-request-BypassPolicyLockoutSafetyCheck
 */
export function checkNotDualControl(source: ReplicationSource, subject: string): void {
  if (source.custodianPolicy.dualControl) {
    throw new ValidationError(`the primary ${source.key.node.path} is under dual control (profile ${source.settings.profile.name}), so ` +
      `CloudFormation cannot create its replica ${subject}: propose ReplicateKey through the dual-control gate instead (two people)`);
  }
}

/** The replica's audit sink: required where the profile requires one, and in the replica's own region (EventBridge is regional). */
export function checkReplicaAuditSink(placement: ReplicaPlacement, sink: AuditSinkRef | undefined, subject: string): void {
  const profile = placement.source.settings.profile;
  checkAuditSink(profile, sink && { path: sink.node.path, immutable: sink.immutable, retentionDays: sink.retentionDays }, subject);
  if (sink) {
    const sinkRegion = Stack.of(sink).region;
    if (Token.isUnresolved(sinkRegion) || sinkRegion !== placement.region) {
      throw new ValidationError(`auditSink must be in the replica's region ${placement.region} (KMS events reach EventBridge only in their ` +
        `own region), got ${sink.node.path} in ${shown(sinkRegion)}`);
    }
  }
}
