import { App } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel,
} from '../../src';

function entry(subject: string, status = EvidenceStatus.SATISFIED, value = '365') {
  return { control: Control.NIST_SC_12, status, subject, resource: `${subject}/Resource`, setting: 'RotationPeriodInDays', value, description: `rotation every ${value} days` };
}

test('one ledger per app, shared by every construct in it', () => {
  const app = new App();
  const a = new Construct(app, 'A');
  const b = new Construct(new Construct(app, 'B'), 'C');
  expect(EvidenceLedger.of(a)).toBe(EvidenceLedger.of(b));
  expect(EvidenceLedger.of(a)).not.toBe(EvidenceLedger.of(new App()));
});

test('records keys, custodians, evidence and acknowledgements', () => {
  const app = new App();
  const ledger = EvidenceLedger.of(app);
  ledger.registerKey({
    path: 'S/K',
    stack: 'S',
    cloud: 'aws',
    constructName: 'CustomerManagedKey',
    model: DeploymentModel.CUSTOMER_MANAGED,
    profile: ComplianceProfile.PCI_DSS,
    fipsLevel: FipsLevel.LEVEL_3,
    auditSink: 'S/Audit',
  });
  ledger.addCustodian('S/K', { role: CustodianRole.ADMINISTRATOR, identity: 'arn:a' });
  ledger.addCustodian('S/K', { role: CustodianRole.ADMINISTRATOR, identity: 'arn:a' });
  ledger.record(entry('S/K'));
  ledger.record(entry('S/K', EvidenceStatus.NOT_SATISFIED, '400'));
  ledger.record({ ...entry('S/Other'), control: Control.NIST_AC_5 });
  ledger.acknowledge({ subject: 'S/K', resource: 'S/K/Resource', rule: 'AwsSolutions-S1', reason: 'why' });
  ledger.acknowledge({ subject: 'S/K', resource: 'S/K/Resource', rule: 'AwsSolutions-S1', reason: 'why' });

  expect(ledger.keys.map((k) => k.path)).toEqual(['S/K']);
  expect(ledger.tryFindKey('S/K')?.auditSink).toBe('S/Audit');
  expect(ledger.custodiansOf('S/K')).toHaveLength(1);
  // A later record for the same subject, control and setting replaces the earlier one.
  expect(ledger.evidence('S/K')).toEqual([entry('S/K', EvidenceStatus.NOT_SATISFIED, '400')]);
  expect(ledger.evidenceFor(Control.NIST_AC_5).map((e) => e.subject)).toEqual(['S/Other']);
  expect(ledger.acknowledgements('S/K')).toHaveLength(1);
});
