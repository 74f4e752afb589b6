import { templateOf } from '../support/fixtures';
import { nagFindings } from '../support/nag';
import { scenarios } from '../support/scenarios';

// cdk-nag v3 packs AwsSolutions, NIST.800.53.R5, HIPAA.Security and PCI.DSS.321 over every construct and profile.
test.each(scenarios().map((s) => [s.name, s]))('%s has no unacknowledged cdk-nag findings', (_name, scenario) => {
  const stack = (scenario as any).build();
  templateOf(stack);
  expect(nagFindings(stack)).toEqual([]);
});
