import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { EvidenceLedger } from '../src';
import { scenarios } from './support/scenarios';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The page that lists every acknowledgement the library makes (cdk-nag, Control Tower and its own). */
const ACKNOWLEDGEMENTS_PAGE = join('docs', 'aws.md');

test('the README starts with exactly the two set-up commands', () => {
  const firstBlock = README.split('```')[1];
  const commands = firstBlock.split('\n').filter((l) => l.trim() && !l.startsWith('sh'));
  expect(commands.map((c) => c.split('#')[0].trim())).toEqual(['npm ci && npm run examples', 'npm ci && npx projen build']);
});

test('the README stays a five-minute read: at most 250 lines, the rest in docs/', () => {
  expect(README.split('\n').length).toBeLessThanOrEqual(250);
});

test('every relative link in README and docs points at a file that exists', () => {
  const pages = ['README.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const dir = join(ROOT, page, '..');
    for (const [, target] of readFileSync(join(ROOT, page), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      try {
        readFileSync(join(dir, target));
      } catch {
        broken.push(`${page} -> ${target}`);
      }
    }
  }
  expect(broken).toEqual([]);
});

test(`every acknowledgement the library makes carries a reason and is listed in ${ACKNOWLEDGEMENTS_PAGE}`, () => {
  const page = readFileSync(join(ROOT, ACKNOWLEDGEMENTS_PAGE), 'utf8');
  const acks = scenarios().flatMap((s) => EvidenceLedger.of(s.build()).acknowledgements());
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(ack.reason.length).toBeGreaterThan(20);
    // Finding-level ids (rule[finding]) are listed by rule; the finding part names generated resources.
    expect(page).toContain(`\`${ack.rule.replace(/\[.*\]$/, '')}\``);
  }
});
