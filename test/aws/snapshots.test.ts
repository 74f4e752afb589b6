import { templateOf, templatesOf } from '../support/fixtures';
import { scenarios } from '../support/scenarios';

// One snapshot per construct and profile, to show template changes in review. Every compliance setting
// in them also has an assertion of its own in the construct's test file.
test.each(scenarios().map((s) => [s.name, s]))('%s template', (_name, scenario) => {
  const stack = (scenario as any).build();
  expect(templateOf(stack).toJSON()).toMatchSnapshot();
  // Nested stacks (tenant shards) get a snapshot each, by construct path.
  for (const [path, template] of Object.entries(templatesOf(stack)).slice(1)) expect(template).toMatchSnapshot(path);
});
