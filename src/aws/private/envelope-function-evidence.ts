import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { EnvelopeSuite, TenantResolution } from '../envelope-encryption-function-props';
import type { TenantKeyHierarchy } from '../tenant-key-hierarchy';

/** What the evidence names of an `EnvelopeEncryptionFunction` (by shape: this file does not import the construct). */
export interface EnvelopeFunctionParts extends IConstruct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly tenantSessionRole?: iam.Role;
  readonly callerProofServerId?: string;
}

export function recordEnvelopeFunctionEvidence(fn: EnvelopeFunctionParts, key: IConstruct, required: string[], suite: EnvelopeSuite): void {
  const ledger = EvidenceLedger.of(fn);
  const record = (controls: Control[], setting: string, value: string, description: string, resource = fn.role.node.path) => {
    for (const control of controls) {
      ledger.record({ control, status: EvidenceStatus.SATISFIED, subject: fn.node.path, resource, setting, value, description });
    }
  };
  record([Control.NIST_AC_6, Control.PCI_3_6_1, Control.SOC2_CC6_1], 'kms actions and conditions',
    `kms:GenerateDataKey, kms:Decrypt on ${key.node.path}; context keys ${required.join(', ')} required`,
    'the envelope function may only make and open data keys of this one key, and only for requests that name the required context');
  record([Control.NIST_SC_13, Control.HIPAA_164_312_A_2_IV], 'message format', `AWS Encryption SDK v2, suite 0x${suite.toString(16).padStart(4, '0')}`,
    'AES-256-GCM with HKDF-SHA512 per-message keys and key commitment', fn.function.node.path);
  record([Control.NIST_AU_2], 'log group', 'structured, encrypted',
    'one structured log line per invocation (operation, record count, error codes, duration), never payloads or context values', fn.logGroup.node.path);
}

export function recordEnvelopeTenantEvidence(fn: EnvelopeFunctionParts, tenants: TenantKeyHierarchy, resolution: TenantResolution): void {
  const ledger = EvidenceLedger.of(fn);
  const identity = resolution.source === 'claim'
    ? `claim ${resolution.claimName} of a token verified against ${resolution.token!.jwksUri} (iss, aud, exp, nbf)`
    : `principal tag ${tenants.tenantTagKey} of the IAM identity STS reports for the caller's signed GetCallerIdentity request (server id ${fn.callerProofServerId})`;
  for (const control of [Control.NIST_AC_6, Control.SOC2_CC6_1, Control.ISO_A_8_24]) {
    ledger.record({
      control,
      status: EvidenceStatus.SATISFIED,
      subject: fn.node.path,
      resource: fn.tenantSessionRole!.node.path,
      setting: 'tenant isolation',
      value: `tenant from ${identity}; session tag ${tenants.tenantTagKey}; key ids pinned`,
      description: 'the function proves the caller\'s identity itself (the event\'s requestContext is never trusted) and serves each request with the ' +
        'caller\'s tenant key through a role session tagged with that tenant; the key policies require the tag to match the ' +
        `${tenants.contextKey} encryption context; another tenant's message is refused before any key is used; a tenant's alias must name one of ` +
        'the hierarchy\'s own keys, so re-pointing an alias cannot redirect its data. Trusted: whoever can change the function\'s code or ' +
        'configuration, its execution role, or the tenant session role\'s trust policy can read every tenant',
    });
  }
  // Against its own controllers the function enforces nothing: recorded on the hierarchy, so every tenant key's
  // report lists it.
  ledger.acknowledge({
    subject: tenants.node.path,
    resource: fn.function.node.path,
    rule: 'cloud-kms:TenantFunctionTrustedParties',
    reason: `partial control: ${fn.node.path} isolates tenants from its callers, not from whoever can change its code or configuration ` +
      '(lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration, lambda:PublishLayerVersion for its layers), attach policies to its ' +
      'execution role, or change the tenant session role\'s trust policy (iam:UpdateAssumeRolePolicy): each of those can read every tenant\'s ' +
      'data. Limit those rights to the deployment pipeline and watch them in the audit trail',
  });
}
