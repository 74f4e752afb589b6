import { readFileSync } from 'fs';
import { join } from 'path';
import { EvidenceLedger } from '../src';
import { scenarios } from './support/scenarios';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

test('the README starts with exactly the two set-up commands', () => {
  const firstBlock = README.split('```')[1];
  const commands = firstBlock.split('\n').filter((l) => l.trim() && !l.startsWith('sh'));
  expect(commands.map((c) => c.split('#')[0].trim())).toEqual(['npm ci && npm run examples', 'npm ci && npx projen build']);
});

test('every acknowledgement the library makes carries a reason and is listed in the README', () => {
  const acks = scenarios().flatMap((s) => EvidenceLedger.of(s.build()).acknowledgements());
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(ack.reason.length).toBeGreaterThan(20);
    // Finding-level ids (rule[finding]) are listed by rule; the finding part names generated resources.
    expect(README).toContain(`\`${ack.rule.replace(/\[.*\]$/, '')}\``);
  }
});
