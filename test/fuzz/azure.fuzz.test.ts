/*
 * Robustness of every public Azure construct under mutated props (see support/harness.ts for the oracle and the
 * FUZZ_SEED / FUZZ_PATH / FUZZ_RUNS / FUZZ_COLLECT variables).
 */
import { checkFixture, checkTarget, printTallies } from './support/harness';
import { AZURE_TARGETS } from './support/tf-targets';

afterAll(() => printTallies('azure'));

describe.each(AZURE_TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
  test('the unmutated fixture synthesizes valid output', () => {
    const outcome = checkFixture(target);
    expect(outcome.reason ?? outcome.kind).toBe('valid');
  });

  test('mutated props give valid output or a ValidationError naming the prop and the value', () => {
    checkTarget(target);
  });
});
