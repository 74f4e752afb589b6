import { templateOf } from '../support/fixtures';
import { scenarios } from '../support/scenarios';

// One snapshot per construct and profile, to show template changes in review. Every compliance setting
// in them also has an assertion of its own in the construct's test file.
test.each(scenarios().map((s) => [s.name, s]))('%s template', (_name, scenario) => {
  expect(templateOf((scenario as any).build()).toJSON()).toMatchSnapshot();
});
