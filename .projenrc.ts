import { readFileSync } from 'fs';
import { awscdk, javascript, release } from 'projen';

const CDK_VERSION = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cloud-kms-constructs',
  description:
    'Typed, compliant-by-default constructs for cloud key management on AWS, Azure and Google Cloud: ' +
    'provider-managed, customer-managed, BYOK and HYOK keys with separation of duties and an immutable audit trail.',
  author: 'cloud-kms-constructs maintainers',
  authorAddress: 'maintainers@cloud-kms-constructs.dev',
  repositoryUrl: 'https://github.com/cloud-kms-constructs/cloud-kms-constructs.git',
  keywords: ['cdk', 'cdktf', 'kms', 'key-vault', 'cloud-kms', 'byok', 'hyok', 'compliance', 'encryption'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',
  minNodeVersion: '20.0.0',
  // Peer ranges for our users; projen pins each one exactly as a dev dependency.
  peerDeps: [
    'cdktf@^0.21.0',
    '@cdktf/provider-azurerm@^14.23.1',
    '@cdktf/provider-google@^16.12.1',
  ],
  // Runtime dependencies of the `cloud-kms` CLI (bundled, as jsii requires). The custom-resource handlers use
  // the AWS SDK that the Lambda Node.js runtime provides (projen's bundler keeps @aws-sdk/* external), so their
  // clients are dev dependencies, for types and tests only.
  bundledDeps: [
    '@aws-sdk/client-kms@^3.1164.0',
    '@azure/keyvault-keys@^4.10.2',
    // 4.14 needs Node 22; we support Node 20.
    '@azure/identity@~4.13.1',
    // 6.x needs Node 22; we support Node 20.
    '@google-cloud/kms@^5.7.0',
    // createCallerProof (lib/envelope): the SigV4 signer the AWS SDK itself uses, for a signed sts:GetCallerIdentity.
    '@smithy/signature-v4@^5.7.5',
    // The cryptographic inventory (CycloneDX 1.6 CBOM) every synthesis writes beside the compliance report (issue 19):
    // CycloneDX's own models and serializer, no runtime dependencies of its own.
    '@cyclonedx/cyclonedx-library@^10.3.0',
  ],
  devDeps: [
    'cdk-nag@3.0.2',
    '@aws-sdk/client-cloudhsm-v2@3.332.0',
    '@aws-sdk/client-secrets-manager@^3.1164.0',
    '@aws-sdk/client-cloudwatch@^3.1164.0',
    // The tenant-aware envelope Lambda: STS tenant sessions and IAM principal tags (provided by the Lambda runtime).
    '@aws-sdk/client-iam@^3.1164.0',
    '@aws-sdk/client-sts@^3.1164.0',
    // The dual-control gate's executor (proposals and approvals in DynamoDB; provided by the Lambda runtime).
    '@aws-sdk/client-dynamodb@^3.1164.0',
    'aws-sdk-client-mock@4.1.0',
    // The interop oracle and baseline of the envelope core.
    '@aws-crypto/client-node@5.0.2',
    '@types/aws-lambda@^8.10.164',
    // A real IAM policy evaluator: the access matrix and the tests' who-can-do-what checks (AGPL-3.0, so a dev
    // dependency only: it is never bundled into the published package).
    '@cloud-copilot/iam-simulate@0.1.173',
    // AWS Control Tower's proactive controls (cfn-guard rules and the cfn-guard binary) as a CDK validation plugin.
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // JWT signature and claim verification in the tenant-aware envelope Lambda (bundled into its asset by esbuild).
    'aws-jwt-verify@^5.2.1',
    // The compliance report's diagrams: mermaid's own parser checks them in tests, and its browser build is inlined
    // into compliance-report.html so the report renders them with no network. jsdom gives the parser the DOM it needs.
    'mermaid@12.3.0',
    'jsdom@31.0.1',
    // Drives Debian's chromium (never a downloaded browser) to check compliance-report.html in .ci/run.
    'playwright-core@1.65.1',
    // Seeded, shrinking property-based generators for the robustness suite (test/fuzz).
    'fast-check@4.11.0',
    // A CEL evaluator: tests evaluate every Google custom organization policy constraint's condition (issue 18).
    '@bufbuild/cel@0.6.1',
    // JSON Schema (draft-07) validation of the OSCAL export against NIST's published schemas, in tests (issue 18).
    'ajv@8.20.0',
    'ajv-formats@3.0.1',
    // The CycloneDX library's JSON validator loads it (idn-email and other draft 2019 formats) beside ajv (issue 19).
    'ajv-formats-draft2019@1.6.1',
  ],

  bin: { 'cloud-kms': 'lib/cli/main.js' },

  // CI lives in .ci/run (this project is not hosted on GitHub Actions).
  github: false,
  // Releases: see the "Releases" block below and docs/decisions.md. No workflow is generated (github: false).
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  majorVersion: 0,
  depsUpgrade: false,
  docgen: true,
  // Custom-resource handlers (src/**/*.lambda.ts), bundled by esbuild; @aws-sdk/* comes from the runtime.
  lambdaOptions: { runtime: awscdk.LambdaRuntime.NODEJS_24_X },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'],
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },
  jestOptions: {
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
      setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
      testTimeout: 120_000,
      // Jest's default on a 2-core machine is one worker; the suites synthesize and lint whole apps, so both cores help.
      maxWorkers: 2,
      // Each suite loads aws-cdk-lib or cdktf into a fresh module registry and not all of it is freed: late in a full
      // run workers held 7.4 GiB and suites ran twice as slow. A worker whose heap stays above this after a suite is
      // replaced by a fresh one (a restart costs well under a second).
      workerIdleMemoryLimit: '1GB',
      testPathIgnorePatterns: ['/node_modules/', '/examples/out/'],
    },
  },
  gitignore: ['/examples/out/', 'cdk.out/', '*.cfnlint.json', '/tools/node24/node_modules/'],
  npmignoreEnabled: true,
});

// Layering (issue 15): core imports no cloud folder and no cloud library; a cloud folder never imports another;
// nobody reaches into another folder's private/; cdktf only in azure/ and gcp/ (and terraform/, the cdktf code they share), aws-cdk-lib only in aws/ and
// compliance/ (the CDK validation plugin). So each entry point keeps loading only its own cloud.
const CLOUDS = ['aws', 'azure', 'gcp'];
const SRC_FOLDERS = ['core', ...CLOUDS, 'terraform', 'compliance', 'envelope', 'cli'];
const src = (folder: string) => `./src/${folder}`;
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', {
      zones: [
        {
          target: src('core'),
          from: [...CLOUDS, 'compliance', 'cli', 'envelope'].map(src),
          message: 'core is cloud-neutral and imports nothing above it (the evidence ledger loads the report writer lazily)',
        },
        ...CLOUDS.map((cloud) => ({
          target: src(cloud),
          from: CLOUDS.filter((other) => other !== cloud).map(src),
          message: 'a cloud folder never imports another cloud folder',
        })),
        ...CLOUDS.map((cloud) => ({
          target: SRC_FOLDERS.filter((folder) => folder !== cloud).map(src),
          from: `${src(cloud)}/private`,
          message: `${cloud}/private is ${cloud}'s own; move what others need out of private/ (not exported from the package)`,
        })),
        {
          target: ['core', 'aws', 'compliance', 'envelope', 'cli'].map(src),
          from: src('terraform'),
          message: 'src/terraform is the cdktf code src/azure and src/gcp share: nothing else imports it',
        },
        {
          target: src('envelope'),
          from: [...CLOUDS, 'compliance', 'cli'].map(src),
          message: 'the envelope core stands alone: the Lambda handler and the CLI use it, it uses no construct',
        },
      ],
    }],
  },
});
const AWS_CDK = { group: ['aws-cdk-lib', 'aws-cdk-lib/*'], message: 'aws-cdk-lib belongs in src/aws (and the CDK validation plugin in src/compliance)' };
const CDKTF = { group: ['cdktf', 'cdktf/*', '@cdktf/*'], message: 'cdktf belongs in src/azure and src/gcp (and src/terraform, their shared code)' };
const CONSTRUCTS = { group: ['constructs', 'constructs/*'], message: 'the envelope core is runtime code: no construct library' };
const restrict = (files: string[], patterns: object[], paths: object[] = []) => project.eslint?.addOverride({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});
restrict(['src/core/**/*.ts', 'src/cli/**/*.ts'], [AWS_CDK, CDKTF]);
restrict(['src/envelope/**/*.ts'], [AWS_CDK, CDKTF, CONSTRUCTS]);
restrict(['src/aws/**/*.ts', 'src/compliance/**/*.ts'], [CDKTF]);
// Azure and Google periods are core's Period: a Terraform-only user installs no aws-cdk-lib.
restrict(['src/azure/**/*.ts', 'src/gcp/**/*.ts', 'src/terraform/**/*.ts'], [AWS_CDK]);

// Entry points (issue 15): one per cloud, so a user of one cloud loads nothing of the others. The root stays what jsii
// publishes (core names plus the `aws`, `azure`, `gcp`, `compliance` namespaces) and loads the namespaces on first use
// (projenrc/lazy-index.ts rewrites the compiled lib/index.js right after jsii; likewise the envelope's SDK keyrings). `./lib/*` keeps deep imports that
// worked before `exports` existed (`cloud-kms-constructs/lib/envelope`, `…/lib/aws/customer-managed-key`); `./.jsii`
// and `./package.json` are read by jsii's runtime and tools.
// `./core`: the core names alone. The root's type declarations name every cloud's namespace, so a TypeScript app of one
// cloud that imports core names from the root type-checks the other clouds' declarations too (and fails without
// skipLibCheck when their libraries are not installed); `cloud-kms-constructs/core` declares nothing of any cloud.
const ENTRY_POINTS = ['core', 'aws', 'azure', 'gcp', 'compliance', 'envelope'];
const LIB_FOLDERS = ENTRY_POINTS;
const entry = (dir: string) => ({ types: `./lib/${dir}index.d.ts`, default: `./lib/${dir}index.js` });
project.package.addField('exports', {
  '.': entry(''),
  ...Object.fromEntries(ENTRY_POINTS.map((name) => [`./${name}`, entry(`${name}/`)])),
  ...Object.fromEntries(LIB_FOLDERS.map((name) => [`./lib/${name}`, entry(`${name}/`)])),
  './lib/*.js': { types: './lib/*.d.ts', default: './lib/*.js' },
  './lib/*': { types: './lib/*.d.ts', default: './lib/*.js' },
  './.jsii': './.jsii',
  './package.json': './package.json',
});
// TypeScript's `node10` resolution (`"module": "commonjs"` apps) ignores `exports`: these map the subpaths for it.
project.package.addField('typesVersions', {
  '*': Object.fromEntries(ENTRY_POINTS.map((name) => [name, [`lib/${name}/index.d.ts`]])),
});
project.compileTask.exec('ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts lib');
// Optional peers: an AWS-only app installs aws-cdk-lib and constructs, a Terraform-only app cdktf, its provider and
// constructs. Each entry point loads only its own cloud's library.
project.package.addField('peerDependenciesMeta', Object.fromEntries(
  ['aws-cdk-lib', 'cdktf', '@cdktf/provider-azurerm', '@cdktf/provider-google'].map((name) => [name, { optional: true }]),
));


project.addTask('bench:envelope', {
  description: 'Benchmark: the envelope core against the AWS Encryption SDK and raw AES-256-GCM (prints a table and a JSON line of ratios)',
  steps: [
    { spawn: 'bundle' },
    { exec: 'node --expose-gc -r ts-node/register/transpile-only bench/envelope.ts', env: { TS_NODE_PROJECT: 'test/tsconfig.json' } } as any,
  ],
});

project.addTask('bench:synth', {
  description: 'Benchmark: TenantKeyHierarchy synthesis at 100, 1,000 and 10,000 tenants on each cloud against plain provider keys (table and a JSON line)',
  steps: [
    { spawn: 'bundle' },
    { exec: 'node -r ts-node/register/transpile-only bench/synth.ts', env: { TS_NODE_PROJECT: 'test/tsconfig.json' } } as any,
  ],
});

project.addTask('bench:load', {
  description: 'Benchmark: loading cloud-kms-constructs/aws (compiled lib, through the package exports) against aws-cdk-lib/aws-kms, each with a new App() (table and a JSON line; compiles first when lib/ is stale)',
  steps: [
    { exec: 'node -r ts-node/register/transpile-only bench/load.ts', env: { TS_NODE_PROJECT: 'test/tsconfig.json' } } as any,
  ],
});

// compliance-report.html inlines mermaid's browser build so its diagrams render with no network; mermaid is a dev
// dependency, so the package ships a copy (with its MIT license) in assets/, which the report writer reads at synthesis.
const copyMermaid = 'mkdir -p assets/report && cp node_modules/mermaid/dist/mermaid.min.js assets/report/mermaid.min.js && cp node_modules/mermaid/LICENSE assets/report/mermaid.LICENSE && gzip -9 -n -c assets/report/mermaid.min.js > assets/report/mermaid.min.js.gz';
project.addTask('bundle:report', {
  description: 'Copy mermaid\'s browser build and its license into assets/report for compliance-report.html',
  steps: [{ exec: copyMermaid }],
});

// Every handler bundle in ONE step: projen runs each task (and each spawned sub-task) after an `npx` that computes its
// PATH, about 1.5 CPU-seconds apiece, so the five-task `bundle` cost 7-8 CPU-seconds for 0.3 s of esbuild. The commands
// are projen's own per-handler ones (the bundle:<handler> tasks stay for running one alone).
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);
const handlerBundles = project.tasks.all
  .filter((t) => /^bundle:.+\.lambda$/.test(t.name))
  .flatMap((t) => t.steps.map((s) => s.exec ?? s.execArgs?.map(shellWord).join(' ')))
  .filter((c): c is string => c !== undefined);
if (handlerBundles.length === 0) throw new Error('no bundle:<handler> tasks found: did projen rename them?');
// ... and mermaid's browser build for the HTML report, in the same step.
const bundleAll = [...handlerBundles, copyMermaid].join(' && ');
project.tasks.tryFind('bundle')!.reset(bundleAll);

// Type-checks what jsii does not compile: tests, examples and benches (ts-jest and the main job only strip types).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check test/, examples/ and bench/ (tsc, no emit)',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
project.tasks.tryFind('test')!.prependSpawn(typecheck);

project.addTask('examples', {
  description: 'Main job: synthesize every example app and check it (cdk-nag, cfn-lint, cfn-guard, Terraform checks, rule pack)',
  // The job prints its time from here too, so that the bundling below counts.
  env: { EXAMPLES_TASK_STARTED_MS: "$(node -p 'Date.now()')" },
  steps: [
    // The example apps use the custom-resource handlers, bundled from source first (a fresh clone has no assets/).
    { exec: bundleAll },
    // No type-check at run time (the build's typecheck task does it): esbuild strips the types, file by file.
    { exec: 'node --enable-source-maps -r ./examples/register.js examples/run.ts', receiveArgs: true },
  ],
});

// Lambda handlers use the AWS SDK of the Lambda runtime, which is a dev dependency here (types and tests).
project.eslint?.addOverride({
  files: ['src/aws/handlers/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

project.npmignore?.exclude('/examples/', '/bench/', '/.ci/', '/tools/');

// The handlers deploy on nodejs24.x while the build runs on Node 20: their tests run on Node 24 as well. The binary is
// the npm registry's `node` package, installed in tools/node24, a separate tiny project (a `node` bin in our own
// devDependencies would shadow the build's Node in every npm script). node24.runtime.ts, which only this task runs,
// checks that the tests really ran on the handlers' runtime major.
const node24 = project.addTask('test:node24', {
  description: "Run the Lambda handlers' tests on Node.js 24, the runtime they deploy to",
  steps: [
    { exec: 'npm ci --prefix tools/node24 --no-audit --no-fund', condition: 'node tools/node24/needs-install.js' },
    {
      exec: 'tools/node24/node_modules/.bin/node node_modules/.bin/jest --coverage=false --ci ' +
        "--testMatch '<rootDir>/test/aws/handlers/**/*.test.ts' '<rootDir>/test/aws/handlers/node24.runtime.ts'",
    },
  ],
});
project.tasks.tryFind('test')!.spawn(node24);

// ---- Releases (docs/decisions.md, "Releases") ----
// package.json carries the version of the latest release, the top entry of the committed CHANGELOG.md, so a clean
// clone (CI clones without tags) builds and packs cloud-kms-constructs@<that version> and never needs a tag. Only
// `npx projen release` (RELEASE=true) lets projen's bump set the next version from the conventional commits since the
// latest v0.* tag; `publish:git` then writes it here and into CHANGELOG.md in one "chore(release)" commit and tags it.
const releasedVersion = /^#{2,3} \[?v?(\d+\.\d+\.\d+[^\]\s]*)/m.exec(readFileSync('CHANGELOG.md', 'utf8'))?.[1];
if (!releasedVersion) throw new Error('CHANGELOG.md must start with the latest release, e.g. "## [0.1.0] (2026-11-30)"');
if (!process.env.RELEASE) project.package.addField('version', releasedVersion);
// commit-and-tag-version runs only in a release (projen falls back to npx); builds and installs do not need it.
project.deps.removeDependency('commit-and-tag-version');
// A release without the previous release's tag would start again from 0.0.0: refuse it. The release commit carries
// the new version in package.json (and the lock file), beside its CHANGELOG.md entry.
const releaseVersion = 'ts-node --project projenrc/tsconfig.json projenrc/release-version.ts';
project.tasks.tryFind('bump')?.prependExec(`${releaseVersion} require-tag`);
// commit-and-tag-version is not a dev dependency (above): let projen's npx fetch it without a prompt.
project.tasks.tryFind('bump')?.env('npm_config_yes', 'true');
project.tasks.tryFind('publish:git')?.prependExec(`${releaseVersion} apply`);
// Restore the committed package.json (projen's unbump would write 0.0.0, which the anti-tamper check then refuses).
project.tasks.tryFind('unbump')?.reset('git checkout -- package.json');

project.synth();
