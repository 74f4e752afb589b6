import { Names } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { OrganizationGuardrailsProps } from './organization-guardrails-props';
import { recordGuardrails } from './private/org-evidence';
import { resolveGuardrailInput, ResolvedGuardrailInput } from './private/org-input';
import { packStatements, policyDocument, rcpGroups, scpGroups } from './private/org-policies';
import { StatementGroup } from './private/org-statements';
import { ComplianceProfile } from '../core/profile';

export * from './organization-guardrails-props';


/**
 * Guardrails no account administrator can switch off, for the management account (or a delegated administrator for
 * Organizations policies): service control policies that keep key administration, key policy lockout, short deletion
 * windows and audit trail or bucket changes out of reach of everyone but the golden pattern's deployment roles, its
 * dual-control executor and a break-glass role; and a resource control policy that keeps the keys of the target
 * accounts inside the organization and the audit buckets on TLS.
 *
 * Neither kind restricts the management account or service-linked roles.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 */
export class OrganizationGuardrails extends Construct {
  /** The service control policies (as many as the size limit needs, at most four). */
  public readonly serviceControlPolicies: organizations.CfnPolicy[];
  /** The resource control policies (as many as the size limit needs, at most four). */
  public readonly resourceControlPolicies: organizations.CfnPolicy[];
  /** The compliance profile the policies carry. */
  public readonly profile: ComplianceProfile;

  constructor(scope: Construct, id: string, props: OrganizationGuardrailsProps) {
    super(scope, id);
    const input = resolveGuardrailInput(props);
    this.profile = input.profile;
    const scps = scpGroups(input);
    const rcps = rcpGroups(input);
    const bySid = new Map<string, organizations.CfnPolicy>();
    this.serviceControlPolicies = this.createPolicies('ServiceControlPolicy', 'SERVICE_CONTROL_POLICY', scps, input, bySid);
    this.resourceControlPolicies = this.createPolicies('ResourceControlPolicy', 'RESOURCE_CONTROL_POLICY', rcps, input, bySid);
    recordGuardrails(this, input, [...scps, ...rcps], (sid) => bySid.get(sid)!);
  }

  private createPolicies(id: string, type: string, groups: StatementGroup[], input: ResolvedGuardrailInput,
    bySid: Map<string, organizations.CfnPolicy>): organizations.CfnPolicy[] {
    const kind = type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp';
    const documents = packStatements(kind, groups);
    // Organizations policy names are unique per organization: the construct path keeps two guardrail sets apart.
    const base = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    return documents.map((statements, i) => {
      const policy = new organizations.CfnPolicy(this, documents.length === 1 ? id : `${id}${i + 1}`, {
        name: `${base}-${kind}${documents.length === 1 ? '' : `-${i + 1}`}`,
        type,
        description: `cloud-kms-constructs ${input.profile.name} guardrails: ${statements.map((s) => s.Sid).join(', ')}`.slice(0, 512),
        content: policyDocument(statements),
        targetIds: input.targetIds,
      });
      for (const s of statements) bySid.set(s.Sid, policy);
      return policy;
    });
  }
}
