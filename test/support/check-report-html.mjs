// Opens a compliance-report.html in Debian's chromium (headless, through playwright-core, never a downloaded browser)
// from file:// and fails on any console error, page error, or request that leaves file://, or when a diagram did not
// render to an SVG.
// Usage: node test/support/check-report-html.mjs [examples/out/compliance-report.html] [--chromium /usr/bin/chromium]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const flag = args.indexOf('--chromium');
const executablePath = flag >= 0 ? args.splice(flag, 2)[1] : '/usr/bin/chromium';
const file = resolve(args[0] ?? 'examples/out/compliance-report.html');
const url = pathToFileURL(file).href;

const problems = [];
const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Every request is seen here, including those the page's content security policy refuses.
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('file://') || target.startsWith('data:') || target.startsWith('blob:')) return route.continue();
    problems.push(`network request leaving file://: ${target}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const expected = await page.locator('pre.mermaid').count();
  const source = await page.locator('pre.mermaid-source').count();
  if (expected === 0) problems.push(source > 0 ? `the page shows ${source} diagrams as source: the renderer (assets/report/mermaid.min.js) was not inlined` : 'the page has no diagrams');
  else {
    await page.waitForFunction(() => document.body.dataset.diagrams !== undefined, undefined, { timeout: 120_000 });
    const state = await page.evaluate(() => document.body.dataset.diagrams);
    if (state !== 'rendered') problems.push(`diagrams: ${state}`);
    const svgs = await page.locator('pre.mermaid > svg').count();
    if (svgs !== expected) problems.push(`${svgs} of ${expected} diagrams rendered to an <svg>`);
    else console.log(`${file}: ${svgs} of ${expected} diagrams rendered to an <svg>`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`${file}: loads from file:// with no console error, page error or network request`);
