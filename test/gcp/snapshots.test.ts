import { synth } from '../support/gcp';
import { gcpScenarios } from '../support/gcp-scenarios';

// One snapshot per construct and profile, to show Terraform changes in review. Every compliance setting in them
// also has an assertion of its own in the construct's test file.
test.each(gcpScenarios().map((s) => [s.name, s]))('%s Terraform JSON', (_name, scenario) => {
  expect(synth((scenario as any).build())).toMatchSnapshot();
});
