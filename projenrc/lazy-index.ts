/*
 * Post-compile step: makes the package root load its cloud namespaces on first use.
 *
 * `src/index.ts` must keep `export * as aws from './aws'` (jsii turns each into a submodule), which tsc compiles to
 * `exports.aws = __importStar(require("./aws"))`: every namespace, and so cdktf, both Terraform providers and
 * aws-cdk-lib, loaded by `require('cloud-kms-constructs')`. This rewrites each such line into a getter that requires the
 * namespace when it is first read and then replaces itself with the value, the way aws-cdk-lib's own root index defers
 * its submodules (aws-cdk's tools/@aws-cdk/lazify). The core names (`export * from './core'`) stay eager: they are
 * cloud-neutral and small.
 *
 * Node's ESM loader finds a CommonJS module's names with cjs-module-lexer, which would drop a name defined by a getter
 * it cannot prove side-effect free; `exports.aws = void 0` declares the name to it and the split property key ('a' +
 * 'ws') keeps the getter out of its sight, so `import { aws } from 'cloud-kms-constructs'` still works.
 *
 * The envelope entry point gets the same treatment for the keyrings that bring a cloud SDK (and the caller proof, which
 * brings the SigV4 signer): `export * from './keyrings/azure-key-vault'` becomes one getter per name, listed by loading
 * the module here at build time, so an AWS KMS or raw AES user of `cloud-kms-constructs/envelope` loads neither the
 * Azure nor the Google SDK.
 *
 * The cloud entry points (`cloud-kms-constructs/aws` …) get it for every construct module, so an app that uses one
 * construct loads that construct's aws-cdk-lib modules, not every construct's.
 *
 * Usage: ts-node --transpile-only projenrc/lazy-index.ts [lib]
 */
import { readFileSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

/** What a rewritten file carries, so a second run (a watch, a repeated post-compile) is a no-op. */
export const LAZY_MARKER = '/* cloud-kms-constructs: namespaces load lazily (projenrc/lazy-index.ts) */';

const NAMESPACE_LINE = /^exports\.([A-Za-z_$][\w$]*) = __importStar\(require\("(\.\/[\w./-]+)"\)\);$/gm;

/** The namespaces `source` (a compiled index) defines eagerly. */
export function eagerNamespaces(source: string): string[] {
  return [...source.matchAll(NAMESPACE_LINE)].map((m) => m[1]);
}

/** Rewrites a tsc-compiled CommonJS index so that every `export * as name from './x'` loads on first read. */
export function lazifyIndex(source: string, expected: readonly string[]): string {
  const found = eagerNamespaces(source);
  if (source.includes(LAZY_MARKER) && found.length === 0) return source;
  const missing = expected.filter((name) => !found.includes(name));
  if (missing.length > 0) {
    // tsc's output shape changed (a new TypeScript, another module setting): fail the build rather than ship an eager root.
    throw new Error(`lazy-index: no eager namespace export of ${missing.join(', ')} found; the compiled index no longer has the shape this step rewrites`);
  }
  const rewritten = source.replace(NAMESPACE_LINE, (_, name: string, path: string) => {
    const key = `${JSON.stringify(name.slice(0, 1))} + ${JSON.stringify(name.slice(1))}`;
    return [
      `exports.${name} = void 0;`,
      `Object.defineProperty(exports, ${key}, { enumerable: true, configurable: true, get: () => {`,
      `    const value = __importStar(require(${JSON.stringify(path)}));`,
      `    Object.defineProperty(exports, ${key}, { enumerable: true, configurable: true, value });`,
      '    return value;',
      '} });',
    ].join('\n');
  });
  return rewritten.replace(/^"use strict";\n/, `"use strict";\n${LAZY_MARKER}\n`);
}

/** The namespaces the package root must define lazily. */
export const ROOT_NAMESPACES = ['aws', 'azure', 'gcp', 'compliance'] as const;

const STAR_LINE = /^__exportStar\(require\("(\.\/[\w./-]+)"\), exports\);$/gm;

/** The modules of the envelope index whose names load on first read: each brings a cloud SDK or signer. */
export const ENVELOPE_LAZY_MODULES = ['./keyrings/aws-kms', './keyrings/aws-kms-mrk', './keyrings/azure-key-vault', './keyrings/gcp-kms', './caller-proof'] as const;

/**
 * Rewrites `export * from '<module>'` (compiled: `__exportStar(require("<module>"), exports)`) for each of `modules`
 * into one getter per exported name. `file` is the compiled index: the modules are loaded from beside it to list their
 * names.
 */
export function lazifyStarExports(file: string, source: string, modules: readonly string[]): string {
  if (source.includes(LAZY_MARKER) && ![...source.matchAll(STAR_LINE)].some((m) => modules.includes(m[1]))) return source;
  const found = [...source.matchAll(STAR_LINE)].map((m) => m[1]);
  const missing = modules.filter((m) => !found.includes(m));
  if (missing.length > 0) throw new Error(`lazy-index: no \`export *\` of ${missing.join(', ')} found in ${file}`);
  const emitted = new Set<string>();
  const rewritten = source.replace(STAR_LINE, (line, path: string) => {
    if (!modules.includes(path)) return line;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const names = Object.keys(require(resolve(dirname(file), path))).filter((n) => n !== 'default' && n !== '__esModule' && !emitted.has(n));
    names.forEach((n) => emitted.add(n));
    return names.map((name) => [
      `exports.${name} = void 0;`,
      `Object.defineProperty(exports, ${JSON.stringify(name.slice(0, 1))} + ${JSON.stringify(name.slice(1))}, { enumerable: true, configurable: true, get: () => require(${JSON.stringify(path)}).${name} });`,
    ].join('\n')).join('\n');
  });
  return rewritten.includes(LAZY_MARKER) ? rewritten : rewritten.replace(/^"use strict";\n/, `"use strict";\n${LAZY_MARKER}\n`);
}

/** The modules a compiled index re-exports with `export *`. */
export function starModules(source: string): string[] {
  return [...source.matchAll(STAR_LINE)].map((m) => m[1]);
}

/**
 * The cloud entry points whose constructs load on first read: `CustomerManagedKey` alone does not load the HSM
 * cluster's or the external key store's aws-cdk-lib modules (aws-ec2 and more).
 */
export const CLOUD_ENTRY_POINTS = ['aws', 'azure', 'gcp'] as const;

/** Applies the rewrites to a compiled package's `lib` folder. */
export function lazifyPackage(lib: string): void {
  const root = join(lib, 'index.js');
  writeFileSync(root, lazifyIndex(readFileSync(root, 'utf8'), ROOT_NAMESPACES));
  const envelope = resolve(lib, 'envelope/index.js');
  writeFileSync(envelope, lazifyStarExports(envelope, readFileSync(envelope, 'utf8'), ENVELOPE_LAZY_MODULES));
  for (const cloud of CLOUD_ENTRY_POINTS) {
    const index = resolve(lib, cloud, 'index.js');
    const source = readFileSync(index, 'utf8');
    writeFileSync(index, lazifyStarExports(index, source, starModules(source)));
  }
}

if (require.main === module) {
  lazifyPackage(process.argv[2] ?? 'lib');
}
