import { DeploymentModel, KeyCustody, OperationalBurden } from '../../src';

test.each([
  [DeploymentModel.PROVIDER_MANAGED, KeyCustody.PROVIDER, OperationalBurden.LOWEST, 'Commercial / non-regulated', 'ManagedKey'],
  [DeploymentModel.CUSTOMER_MANAGED, KeyCustody.SHARED, OperationalBurden.MODERATE, 'FedRAMP Moderate, SOC 2', 'CustomerManagedKey'],
  [DeploymentModel.BYOK, KeyCustody.CUSTOMER_IMPORT, OperationalBurden.HIGH, 'FedRAMP High, financial sector', 'ByokImport'],
  [DeploymentModel.HYOK, KeyCustody.CUSTOMER_EXTERNAL, OperationalBurden.HIGHEST, 'Sovereign data requirements', 'HyokExternalStore'],
])('%s carries the seed table data', (model, custody, burden, fit, construct) => {
  expect(model.custody).toBe(custody);
  expect(model.operationalBurden).toBe(burden);
  expect(model.regulatoryFit).toBe(fit);
  expect(model.constructName).toBe(construct);
  expect(DeploymentModel.fromId(model.id)).toBe(model);
});

test('custody rank grows with customer custody', () => {
  expect(DeploymentModel.all().map((m) => m.custodyRank)).toEqual([1, 2, 3, 4]);
});

test('fromId names the value it did not know', () => {
  expect(() => DeploymentModel.fromId('BYOB')).toThrow(/deployment model must be one of PROVIDER_MANAGED, CUSTOMER_MANAGED, BYOK, HYOK, got BYOB/);
});
