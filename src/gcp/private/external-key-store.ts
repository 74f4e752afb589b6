import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { Construct } from 'constructs';
import { FipsLevel } from '../../core/fips';
import { ComplianceProfile } from '../../core/profile';
import type { GcpCustodians } from '../custodians';
import type { IKeyAuditSink } from '../key-audit-sink';
import type { KeyRing } from '../key-ring';
import { ProtectionLevel } from '../key-spec';

/**
 * What an external key takes from its store (a `HyokExternalStore`; structural, so external-key.ts does not import the store,
 * which imports it for `addKey`).
 */
export interface ExternalKeyStore extends Construct {
  readonly profile: ComplianceProfile;
  readonly keyRing: KeyRing;
  readonly backend: { readonly protectionLevel: ProtectionLevel; readonly externalKeyManagerFipsLevel: FipsLevel };
  readonly connection?: { readonly id: string };
  readonly custodians: GcpCustodians;
  readonly auditSink?: IKeyAuditSink;
  /** The service agent's grants, which key versions wait for. */
  readonly _agentGrants: ProjectIamMember[];
}
