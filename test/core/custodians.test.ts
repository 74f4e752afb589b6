import { CustodianRole, SeparationOfDuties } from '../../src';

const R = CustodianRole;

describe('SeparationOfDuties.conflicts', () => {
  test.each([
    [R.ADMINISTRATOR, R.USER, true],
    [R.ADMINISTRATOR, R.AUDITOR, true],
    [R.ADMINISTRATOR, R.APPROVER, true],
    [R.ADMINISTRATOR, R.IMPORTER, true],
    [R.USER, R.AUDITOR, true],
    [R.USER, R.APPROVER, true],
    [R.USER, R.IMPORTER, true],
    [R.USER, R.DEPLOYER, true],
    [R.AUDITOR, R.APPROVER, true],
    [R.AUDITOR, R.DEPLOYER, true],
    [R.ADMINISTRATOR, R.DEPLOYER, false],
    [R.APPROVER, R.IMPORTER, false],
    [R.USER, R.USER, false],
    // A backup restores elsewhere: a backup operator is nobody else.
    ...[R.ADMINISTRATOR, R.USER, R.AUDITOR, R.APPROVER, R.IMPORTER, R.DEPLOYER]
      .map((r): [CustodianRole, CustodianRole, boolean] => [R.BACKUP_OPERATOR, r, true]),
    [R.BACKUP_OPERATOR, R.BACKUP_OPERATOR, false],
  ])('%s with %s: %s', (a, b, expected) => {
    expect(SeparationOfDuties.conflicts(a, b)).toBe(expected);
    expect(SeparationOfDuties.conflicts(b, a)).toBe(expected);
  });
});

describe('SeparationOfDuties.check', () => {
  test('throws naming both props, the identity and the roles', () => {
    expect(() => SeparationOfDuties.check([
      { role: R.ADMINISTRATOR, identity: 'arn:a', source: 'custodians.administrators', label: 'Ops' },
      { role: R.USER, identity: 'arn:a', source: 'custodians.users' },
    ], 'Stack/OrdersKey')).toThrow(
      'custodians.users and custodians.administrators overlap on Stack/OrdersKey: Ops cannot be both an administrator and a user (separation of duties)');
  });

  test('accepts distinct identities and compatible roles', () => {
    expect(() => SeparationOfDuties.check([
      { role: R.ADMINISTRATOR, identity: 'arn:a' },
      { role: R.DEPLOYER, identity: 'arn:a' },
      { role: R.USER, identity: 'arn:b' },
      { role: R.AUDITOR, identity: 'arn:c' },
    ], 'k')).not.toThrow();
  });

  test('finds every conflict', () => {
    const found = SeparationOfDuties.findConflicts([
      { role: R.ADMINISTRATOR, identity: 'x' },
      { role: R.USER, identity: 'x' },
      { role: R.AUDITOR, identity: 'x' },
    ]);
    expect(found).toHaveLength(3);
  });
});
