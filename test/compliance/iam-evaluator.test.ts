import { withCachedCollators } from '../../src/compliance/private/iam-evaluator';

const native = String.prototype.localeCompare;
const WORDS = ['ForAllValues', 'forallvalues', 'FORANYVALUE', 'IfExists', 'ifexists', 'kms:Decrypt', 'KMS:decrypt', 'résumé',
  'resume', 'Resume', 'a', 'b', 'B', '', 'ä', 'a\u0308', 'x10', 'x9', 'alias/aws/', 'Alias/AWS/'];
const OPTIONS: unknown[] = [undefined, {}, { sensitivity: 'accent' }, { sensitivity: 'base' }, { sensitivity: 'case' },
  { sensitivity: 'variant' }, { numeric: true }, { caseFirst: 'upper' }, { ignorePunctuation: true, usage: 'search' }];

test('while the evaluator runs, localeCompare gives what the native one gives, for every locale and option tried', () => {
  const expected: number[] = [];
  const got: number[] = [];
  for (const locales of [undefined, 'en', 'de', 'sv']) {
    for (const options of OPTIONS) {
      for (const a of WORDS) {
        for (const b of WORDS) {
          expected.push(native.call(a, b, locales, options as Intl.CollatorOptions));
          got.push(withCachedCollators(() => a.localeCompare(b, locales, options as Intl.CollatorOptions)));
        }
      }
    }
  }
  expect(got).toEqual(expected);
  // The replacement was in place: a cached comparison is not the native function.
  expect(withCachedCollators(() => String.prototype.localeCompare)).not.toBe(native);
});

test('inputs the cache does not handle reach the native localeCompare (its errors included)', () => {
  const options = { get sensitivity(): Intl.CollatorOptions['sensitivity'] { return 'base'; } };
  expect(withCachedCollators(() => 'a'.localeCompare('A', undefined, options))).toBe(native.call('a', 'A', undefined, options));
  expect(withCachedCollators(() => 'a'.localeCompare('A', ['en', 'de'], { sensitivity: 'base' }))).toBe(0);
  expect(() => withCachedCollators(() => 'a'.localeCompare('A', undefined, { sensitivity: 'nonsense' } as any))).toThrow(RangeError);
  expect(() => withCachedCollators(() => native.call.call(String.prototype.localeCompare, null, 'a'))).toThrow(TypeError);
});

test('an options object changed between calls is read again, not served the collator of its old values', () => {
  const options: Intl.CollatorOptions = { sensitivity: 'accent' };
  expect(withCachedCollators(() => 'a'.localeCompare('A', undefined, options))).toBe(0);
  options.sensitivity = 'variant';
  expect(withCachedCollators(() => 'a'.localeCompare('A', undefined, options))).toBe(native.call('a', 'A', undefined, options));
  expect(native.call('a', 'A', undefined, options)).not.toBe(0);
  expect(withCachedCollators(() => 'a'.localeCompare('A', 'sv', options))).toBe(native.call('a', 'A', 'sv', options));
});

test('where String.prototype cannot be changed (frozen intrinsics), the evaluation runs with the native localeCompare', () => {
  Object.defineProperty(String.prototype, 'localeCompare', { writable: false });
  try {
    expect(withCachedCollators(() => [String.prototype.localeCompare, 'a'.localeCompare('A', undefined, { sensitivity: 'base' })])).toEqual([native, 0]);
  } finally {
    Object.defineProperty(String.prototype, 'localeCompare', { writable: true });
  }
  expect(String.prototype.localeCompare).toBe(native);
});

test('the native localeCompare is back afterwards, also when the evaluation throws', () => {
  expect(() => withCachedCollators(() => {
    throw new Error('evaluator failed');
  })).toThrow('evaluator failed');
  expect(String.prototype.localeCompare).toBe(native);
  withCachedCollators(() => 0);
  expect(String.prototype.localeCompare).toBe(native);
});
