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

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = markdown.split(/^```[\s\S]*?^```/m).join('').match(/^#{1,6} .*$/gm) ?? [];
  return new Set(headings.map((h) => h.replace(/^#+ /, '').toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

test('every relative link in README and docs points at a file (and heading) that exists', () => {
  const pages = ['README.md', 'CHANGELOG.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const dir = join(ROOT, page, '..');
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, target, anchor] of text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      let linked: string;
      try {
        linked = target ? readFileSync(join(dir, target), 'utf8') : text;
      } catch {
        broken.push(`${page} -> ${target}`);
        continue;
      }
      if (anchor && !anchors(linked).has(anchor)) broken.push(`${page} -> ${target}#${anchor}`);
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
