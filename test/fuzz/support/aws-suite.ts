/*
 * The AWS property suites (aws-keys.fuzz.test.ts, aws-services.fuzz.test.ts: two files so that jest's two workers share
 * the AWS synthesis work): each target's fixture and property, then one batched cfn-lint run over a sample of the
 * valid cases' templates. See harness.ts for the oracle and the FUZZ_* variables.
 */
import { checkFixture, checkTarget, Outcome, printTallies, Target } from './harness';
import { Mutation } from './mutations';
import { ACCEPTED_WARNINGS, cfnLint } from '../../support/cfn-lint';

/**
 * Every Nth valid mutated case goes to cfn-lint, at most MAX_LINTED (cfn-lint takes about a second per template here;
 * the unmutated fixtures are linted by test/aws/cfn-lint.test.ts's own cases).
 */
const LINT_EVERY = Number(process.env.FUZZ_LINT_EVERY ?? 6);
const MAX_LINTED = Number(process.env.FUZZ_MAX_LINTED ?? 4);

export function awsSuite(suite: string, targets: readonly Target[]): void {
  const sample: Array<{ label: string; templates: Record<string, unknown> }> = [];
  let validSeen = 0;

  function keep(target: Target, mutations: readonly Mutation[], outcome: Outcome) {
    if (validSeen++ % LINT_EVERY !== 0 || sample.length >= MAX_LINTED || !outcome.templates) return;
    sample.push({ label: `${target.name} ${JSON.stringify(mutations)}`, templates: outcome.templates });
  }

  afterAll(() => printTallies(suite));

  describe.each(targets.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    test('the unmutated fixture synthesizes valid output', () => {
      const outcome = checkFixture(target);
      expect(outcome.reason ?? outcome.kind).toBe('valid');
    });

    test('mutated props give valid output or a ValidationError naming the prop and the value', () => {
      checkTarget(target, keep);
    });
  });

  test('cfn-lint finds no error in the sampled valid templates', () => {
    const byFile: Record<string, unknown> = {};
    const labels: Record<string, string> = {};
    sample.forEach(({ label, templates }, i) => {
      for (const [file, t] of Object.entries(templates)) {
        const name = `case${i}-${file.replace(/\.template\.json$/, '')}`;
        byFile[name] = t;
        labels[name] = label;
      }
    });
    const matches = cfnLint(byFile).filter((m) => m.Level === 'Error' || (m.Level === 'Warning' && !ACCEPTED_WARNINGS.includes(m.Rule.Id)));
    const problems = matches.map((m) => {
      const name = Object.keys(labels).find((n) => m.Filename.includes(`${n.replace(/[^A-Za-z0-9_-]/g, '_')}.template.json`));
      return `${m.Rule.Id} ${m.Message} (${name ? labels[name] : m.Filename})`;
    });
    // eslint-disable-next-line no-console
    console.log(`fuzz ${suite}: cfn-lint checked ${Object.keys(byFile).length} templates from ${sample.length} cases`);
    expect(problems).toEqual([]);
  });
}
