/*
 * Release helpers for projen's `release` task (.projenrc.ts, "Releases"):
 *
 *   require-tag  fails unless the version in package.json (the latest release) has its tag v<version>: without it
 *                projen's bump would take the release for the first one and start again from 0.0.0.
 *   apply        writes the version the bump chose (dist/version.txt) into package.json and package-lock.json and
 *                stages them, so the "chore(release)" commit carries it beside its CHANGELOG.md entry.
 */
import { execFileSync } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const command = process.argv[2];
if (command === 'require-tag') {
  const version: string = readJson('package.json').version;
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/v${version}`], { stdio: 'ignore' });
  } catch {
    console.error(`error: tag v${version} is missing: tag the commit that released ${version} first ` +
      `(git tag -a v${version} -m v${version} <commit>), then run the release again`);
    process.exit(1);
  }
} else if (command === 'apply') {
  const version = readFileSync('dist/version.txt', 'utf8').trim();
  const pkg = readJson('package.json');
  pkg.version = version;
  writeFileSync('package.json', JSON.stringify(pkg, undefined, 2) + '\n');
  const lock = readJson('package-lock.json');
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  writeFileSync('package-lock.json', JSON.stringify(lock, undefined, 2) + '\n');
  execFileSync('git', ['add', 'package.json', 'package-lock.json'], { stdio: 'inherit' });
} else {
  console.error('usage: release-version.ts require-tag | apply');
  process.exit(2);
}
