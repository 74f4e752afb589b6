import { Token } from 'aws-cdk-lib';
import { Fn, Token as TfToken } from 'cdktf';
import { isTokenValue, requireDefined, requireDistinct, requireInteger, shown } from '../../src/core/validation';

describe('error values', () => {
  test('tokens of both libraries are shown as tokens, never as their encoded numbers', () => {
    const cdkNumber = Token.asNumber({ resolve: () => 1 });
    const tfNumber = TfToken.asNumber(Fn.abs(1));
    for (const n of [cdkNumber, tfNumber, TfToken.asNumberList(Fn.abs(1))]) {
      expect(isTokenValue(n)).toBe(true);
      expect(shown(n)).toBe('an unresolved token');
    }
    expect(shown(TfToken.asString(Fn.abs(1)))).toMatch(/^a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)$/);
    expect(() => requireInteger('rotationDays', cdkNumber, 1, 10)).toThrow('rotationDays must be a whole number between 1 and 10, got an unresolved token');
    for (const plain of [5, -1e300, -Infinity, NaN, 'plain']) expect(isTokenValue(plain)).toBe(false);
  });

  test('blank strings are quoted and missing values named', () => {
    expect(shown('')).toBe('""');
    expect(shown(' x')).toBe('" x"');
    expect(shown(NaN)).toBe('NaN');
    expect(() => requireDefined('backend', undefined)).toThrow('backend is required, got nothing');
  });

  test('case variants of one principal are refused by name', () => {
    expect(() => requireDistinct('users', ['user:a@x.com', 'user:A@x.com'])).toThrow('users lists user:a@x.com and user:A@x.com, which name the same principal');
    expect(() => requireDistinct('users', ['a', 'a'])).toThrow('users lists a twice');
    expect(() => requireDistinct('users', ['a', 'b'])).not.toThrow();
  });
});
