import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { compliance, ComplianceProfile, Control, EvidenceLedger } from '../../src';
import { buildReport, renderMarkdown, writeReport } from '../../src/compliance/report';
import { escapeHtml, loadMermaid, MERMAID_ASSET, MERMAID_GZ_ASSET, renderHtml } from '../../src/compliance/report-html';
import { ACCOUNT, cmkFor, REGION } from '../support/fixtures';

const HOSTILE = '<script>alert(1)</script> & "quotes"';

function report() {
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: REGION } });
  // A control nothing records evidence for, acknowledged with a hostile reason; a custom control with a hostile title.
  const profile = ComplianceProfile.custom({
    name: 'HOSTILE',
    basedOn: ComplianceProfile.PCI_DSS,
    requiredControls: [...ComplianceProfile.PCI_DSS.requiredControls, Control.of('Custom', '<img src=x onerror=alert(2)>', HOSTILE, 'none')],
  });
  const key = cmkFor(stack, profile, 'CardKey');
  compliance.ComplianceReport.acknowledgeControl(key, profile.requiredControls[profile.requiredControls.length - 1], `accepted: ${HOSTILE}`);
  EvidenceLedger.of(stack).acknowledge({ subject: key.node.path, resource: 'Payments/CardKey', rule: 'Custom-Rule', reason: `finding: ${HOSTILE}` });
  return buildReport(EvidenceLedger.of(stack));
}

describe('compliance-report.html', () => {
  const data = report();
  const FAKE_MERMAID = 'window.mermaid = { initialize() {}, run() { return Promise.resolve(); } };';

  test('with the renderer: the script is inlined (gzipped) and every diagram is a pre.mermaid', () => {
    const html = renderHtml(data, FAKE_MERMAID);
    expect(html.match(/<pre class="mermaid">/g)!.length).toBe(data.stacks.length);
    const packed = /<script type="application\/gzip-base64" id="mermaid-gz">([A-Za-z0-9+/=]+)<\/script>/.exec(html)![1];
    expect(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')).toBe(FAKE_MERMAID);
    // Nothing is loaded from elsewhere: no src or href to another document, and a policy that forbids it.
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).toContain('content="default-src \'none\'; script-src \'unsafe-inline\'');
    expect(html).not.toContain('id="no-renderer"');
  });

  test('without the renderer: diagrams as Mermaid source under a visible note, and no script at all', () => {
    const html = renderHtml(data, undefined);
    expect(html).toContain('<p class="note" id="no-renderer">The diagrams are shown as Mermaid source');
    expect(html.match(/<pre class="mermaid-source">/g)!.length).toBe(data.stacks.length);
    expect(html).not.toMatch(/<script/);
    // The diagram source survives escaping: a browser shows the text Mermaid would parse.
    expect(html).toContain(escapeHtml(data.stacks[0].diagram));
  });

  test.each([['with', FAKE_MERMAID], ['without', undefined]])('%s the renderer, everything interpolated is escaped', (_, script) => {
    const html = renderHtml(data, script);
    const scripts = html.match(/<script/g) ?? [];
    expect(scripts.length).toBe(script ? 2 : 0);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('accepted: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('finding: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  test('the Markdown shows the same strings as text, not as HTML a viewer would render', () => {
    const md = renderMarkdown(data);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<img');
    expect(md).toContain('accepted: &lt;script&gt;alert(1)&lt;/script&gt;');
    // The diagrams stay Mermaid source (their labels use <br/>).
    expect(md).toContain('<br/>');
  });

  test('writeReport writes it beside the JSON and Markdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    const files = writeReport(data, dir);
    expect(files.html).toBe(join(dir, 'compliance-report.html'));
    const html = readFileSync(files.html, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // The build copies the renderer into assets/report (bundle:report); the page uses it exactly when it is there.
    expect(html.includes('id="mermaid-gz"')).toBe(existsSync(MERMAID_ASSET));
    expect(existsSync(join(dir, 'compliance-report.md'))).toBe(true);
  });

  test('the build ships the renderer gzipped too, and the page carries exactly those bytes (nothing is compressed at synthesis)', () => {
    // `bundle` (run before the tests by the build, and by the main job) writes both, as it writes the handler bundles.
    expect(existsSync(MERMAID_ASSET)).toBe(true);
    expect(existsSync(MERMAID_GZ_ASSET)).toBe(true);
    const source = loadMermaid()!;
    const packed = /<script type="application\/gzip-base64" id="mermaid-gz">([A-Za-z0-9+/=]+)<\/script>/.exec(renderHtml(data, source))![1];
    expect(packed).toBe(readFileSync(MERMAID_GZ_ASSET).toString('base64'));
    expect(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')).toBe(source);
  });

  test('a missing renderer asset reads as undefined (the page then shows the source)', () => {
    expect(loadMermaid(join(tmpdir(), 'no-such-dir', 'mermaid.min.js'))).toBeUndefined();
  });
});
