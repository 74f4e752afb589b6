/*
 * Issue 15, item 1: eslint keeps the layering that lets each entry point load only its own cloud. Each case lints a
 * line as if it were in a real file of src/ with the project's own eslint configuration for that file (its overrides,
 * settings and import resolvers), and expects the layering rule to name it. Only the layering rules run: they read
 * no type information, so the type-aware project service (most of the cost of linting) is left out.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { loadESLint } from 'eslint';

const ROOT = join(__dirname, '../..');
type Linter = { lintText(code: string, options: { filePath: string }): Promise<{ messages: { ruleId: string | null; message: string }[] }[]> };
let project: { calculateConfigForFile(filePath: string): Promise<any> };
let LegacyESLint: new (options: object) => Linter;

beforeAll(async () => {
  LegacyESLint = await loadESLint({ useFlatConfig: false }) as any;
  project = new LegacyESLint({ cwd: ROOT, overrideConfigFile: join(ROOT, '.eslintrc.json') }) as any;
});

const LAYERING = ['import/no-restricted-paths', 'no-restricted-imports'];

/** The project's configuration for `file`, with only the layering rules on and without the type-aware project service. */
async function layeringLinter(file: string): Promise<Linter> {
  const config = await project.calculateConfigForFile(join(ROOT, file));
  const { projectService: _service, project: _project, ...parserOptions } = config.parserOptions ?? {};
  const rules = Object.fromEntries(LAYERING.map((rule) => [rule, config.rules?.[rule] ?? 'off']));
  // Both rules are configured for every file of src/: a configuration that lost one must fail here, not pass.
  expect(Object.values(rules).every((r) => (Array.isArray(r) ? r[0] : r) === 'error')).toBe(true);
  return new LegacyESLint({ cwd: ROOT, useEslintrc: false, overrideConfig: { ...config, parserOptions, rules } });
}

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await (await layeringLinter(file)).lintText(code, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId && LAYERING.includes(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

test.each([
  ['src/core/naming.ts', "import { CustomerManagedKey } from '../aws/customer-managed-key';", /no-restricted-paths: .*core is cloud-neutral/],
  ['src/core/naming.ts', "import { App } from 'aws-cdk-lib';", /no-restricted-imports: .*aws-cdk-lib belongs in src\/aws/],
  ['src/core/naming.ts', "import { App } from 'cdktf';", /no-restricted-imports: .*cdktf belongs in src\/azure and src\/gcp/],
  ['src/aws/managed-key.ts', "import { TerraformStack } from 'cdktf';", /no-restricted-imports: .*cdktf belongs/],
  ['src/aws/managed-key.ts', "import { KeyVault } from '../azure/key-vault';", /no-restricted-paths: .*never imports another cloud folder/],
  ['src/azure/key-vault.ts', "import { KeyRing } from '../gcp/key-ring';", /no-restricted-paths: .*never imports another cloud folder/],
  ['src/gcp/key-ring.ts', "import { CustomerManagedKey } from '../aws/customer-managed-key';", /no-restricted-paths: .*never imports another cloud folder/],
  ['src/azure/key-vault.ts', "import { Duration } from 'aws-cdk-lib';", /no-restricted-imports: .*aws-cdk-lib belongs in src\/aws/],
  ['src/gcp/key-ring.ts', "import { Key } from 'aws-cdk-lib/aws-kms';", /no-restricted-imports: .*aws-cdk-lib belongs in src\/aws/],
  ['src/compliance/pack.ts', "import { TerraformStack } from 'cdktf';", /no-restricted-imports: .*cdktf belongs/],
  ['src/compliance/pack.ts', "import { buildKeyPolicy } from '../aws/private/key-policy';", /no-restricted-paths: .*aws\/private is aws's own/],
  ['src/cli/main.ts', "import { x } from '../gcp/private/roles';", /no-restricted-paths: .*gcp\/private is gcp's own/],
  ['src/aws/managed-key.ts', "import { literalDays } from '../terraform/period';", /no-restricted-paths: .*src\/terraform is the cdktf code src\/azure and src\/gcp share/],
  ['src/terraform/period.ts', "import { x } from '../azure/private/roles';", /no-restricted-paths: .*azure\/private is azure's own/],
  ['src/envelope/envelope.ts', "import { Construct } from 'constructs';", /no-restricted-imports: .*no construct library/],
  ['src/envelope/envelope.ts', "import { CustomerManagedKey } from '../aws/customer-managed-key';", /no-restricted-paths: .*envelope core stands alone/],
])('%s: `%s` is refused', async (file, code, expected) => {
  const errors = await layeringErrors(file, `${code}\n`);
  expect(errors).toEqual([expect.stringMatching(expected)]);
});

test('what the layering allows lints clean: the rule pack reading the AWS policy vocabulary, a cloud its own private/', async () => {
  for (const file of ['src/compliance/rules/aws/key-dual-control.ts', 'src/compliance/rules/aws/key-separation-of-duties.ts', 'src/aws/private/key-policy.ts',
    'src/azure/private/key-settings.ts', 'src/gcp/private/key-settings.ts', 'src/terraform/period.ts']) {
    expect(await layeringErrors(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  }
});
