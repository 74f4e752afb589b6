import { ACCEPTED_WARNINGS, cfnLint, INSTALL_HINT } from '../support/cfn-lint';
import { templatesOf } from '../support/fixtures';
import { scenarios } from '../support/scenarios';

test('cfn-lint finds no errors in any synthesized template', () => {
  const templates = Object.fromEntries(scenarios().flatMap((s) => Object.entries(templatesOf(s.build()))
    .map(([path, template], i) => [i === 0 ? s.name : `${s.name}/${path}`, template])));
  const matches = cfnLint(templates);
  const errors = matches.filter((m) => m.Level === 'Error').map((m) => `${m.Filename}: ${m.Rule.Id} ${m.Message}`);
  expect(errors).toEqual([]);
  // Warnings are listed so a new one is noticed; only the accepted ones (see ACCEPTED_WARNINGS) may appear.
  expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
});

test('a missing cfn-lint is a failure that says what to install, never a silent pass', () => {
  expect(() => cfnLint({ t: {} }, { ...process.env, PATH: '/nonexistent' })).toThrow(INSTALL_HINT);
});
