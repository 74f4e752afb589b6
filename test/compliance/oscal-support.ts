/* Real reports of the three clouds, with and without guardrails, and the OSCAL 1.0.6 schema validators. */
import { readFileSync } from 'fs';
import { join } from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ComplianceProfile, Enforcement, EvidenceLedger } from '../../src';
import { buildReport, ComplianceReportData } from '../../src/compliance/report';
import { AUDIT_CONTROLS, DELETION_CONTROLS, ROTATION_CONTROLS } from '../../src/core/key-evidence';
import { azureCmk, azureStack } from '../support/azure';
import { ACCOUNT, cmkFor, REGION } from '../support/fixtures';
import { gcpCmk, gcpStack } from '../support/gcp';

const SCHEMAS = join(__dirname, '..', 'fixtures', 'oscal');

/** ajv 8 in draft-07 mode (its default), as the schemas' README says; `strict: false` for the schemas' own keywords. */
export function validators(): { component: ValidateFunction; assessment: ValidateFunction } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const load = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8'));
  return {
    component: ajv.compile(load('oscal_component_schema.json')),
    assessment: ajv.compile(load('oscal_assessment-results_schema.json')),
  };
}

/** The schema errors, shown short enough to read in a failed expectation. */
export function errorsOf(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function registerGuardrails(scope: IConstruct, cloud: string, targets: string[]): void {
  const ledger = EvidenceLedger.of(scope);
  const base = { stack: scope.node.path, cloud, targets, profile: 'PCI_DSS' };
  ledger.registerGuardrail({
    ...base,
    path: `${scope.node.path}/DenyShortDeletion`,
    enforcement: Enforcement.PREVENTIVE,
    mechanism: 'organisation policy',
    name: 'deny-short-deletion-window',
    description: 'refuses a key deletion window below the profile minimum',
    controls: DELETION_CONTROLS,
  });
  ledger.registerGuardrail({
    ...base,
    path: `${scope.node.path}/RotationRule`,
    enforcement: Enforcement.DETECTIVE,
    mechanism: 'continuous rule',
    name: 'key-rotation-enabled',
    description: 'reports a deployed key without rotation',
    controls: [...ROTATION_CONTROLS, ...AUDIT_CONTROLS],
  });
}

const PCI = ComplianceProfile.PCI_DSS;

/** An AWS, an Azure and a Google app with a PCI DSS key each, optionally with guardrails of their cloud. */
export function cloudReports(guardrails: boolean): Record<'aws' | 'azure' | 'gcp', ComplianceReportData> {
  const aws = new Stack(new App(), 'Payments', { env: { account: ACCOUNT, region: REGION } });
  cmkFor(aws, PCI, 'CardKey');
  const az = azureStack('cards');
  azureCmk(az, PCI, 'CardKey');
  const gcp = gcpStack('cards');
  gcpCmk(gcp, PCI, 'CardKey');
  if (guardrails) {
    registerGuardrails(aws, 'aws', ['ou-abcd-11111111']);
    registerGuardrails(az, 'azure', ['/providers/Microsoft.Management/managementGroups/payments']);
    registerGuardrails(gcp, 'gcp', ['folders/123456789012']);
  }
  return { aws: buildReport(EvidenceLedger.of(aws)), azure: buildReport(EvidenceLedger.of(az)), gcp: buildReport(EvidenceLedger.of(gcp)) };
}
