/*
 * Loads the main job's TypeScript without type-checking it: `node -r ./examples/register.js examples/run.ts`.
 * The build type-checks examples/, bench/ and test/ (projen's `typecheck` task, `tsc -p test/tsconfig.json`), so at run
 * time the types only need stripping. esbuild (already a dev dependency: it bundles the Lambda handlers) does that
 * file by file, several times faster than ts-node's type-check (40-70 s here) or TypeScript's own transpileModule, and
 * each module keeps its own __dirname, which the handlers' asset paths and the Control Tower harness rely on (a single
 * bundle would not). test/tsconfig.json sets isolatedModules, so a file can always be compiled on its own.
 */
const { readFileSync } = require('fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
    // What tsc emits for tsconfig.json's target ES2022: class fields defined, not assigned.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  });
  module._compile(code, filename);
};
