import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EvidenceLedger } from '../../core/evidence';

/** A rule finding accepted on purpose, with the reason an auditor will read. */
export interface RuleAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Acknowledges rule findings (cdk-nag reads CDK's native acknowledgements) on one construct,
 * and records each in the evidence ledger so the compliance report lists it.
 */
export function acknowledgeRules(resource: IConstruct, subject: IConstruct, acks: RuleAcknowledgement[]): void {
  Validations.of(resource).acknowledge(...acks);
  const ledger = EvidenceLedger.of(resource);
  for (const ack of acks) {
    ledger.acknowledge({ subject: subject.node.path, resource: resource.node.path, rule: ack.id, reason: ack.reason });
  }
}
