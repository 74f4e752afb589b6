// Parses Mermaid diagrams with mermaid's own parser, in a child process: mermaid is ESM only (jest runs CommonJS) and
// needs a DOM for DOMPurify, which jsdom provides.
// Usage: node test/support/mermaid-parse.mjs <in.json> <out.json>, where in.json is [{ "name": ..., "text": ... }] and
// out.json receives [{ "name": ..., "ok": true } | { "name": ..., "ok": false, "error": "..." }].
import { readFileSync, writeFileSync } from 'node:fs';
import workerThreads from 'node:worker_threads';
import zlib from 'node:zlib';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node mermaid-parse.mjs <in.json> <out.json>');
  process.exit(2);
}

// jsdom 31 (Node >= 22) loads its HTTP client, undici, which binds two Node 22 functions when it loads: zlib's zstd
// decoder and worker_threads.markAsUncloneable. On Node 20 (what the tests run on) stand-ins let it load: the parser
// fetches nothing and posts nothing to a worker, so neither is ever called for real.
if (typeof zlib.createZstdDecompress !== 'function') {
  zlib.createZstdDecompress = () => {
    throw new Error('zstd is not available in this Node.js version');
  };
}
if (typeof workerThreads.markAsUncloneable !== 'function') workerThreads.markAsUncloneable = () => {};
// Node 20's V8 has part of the iterator helpers behind --harmony-iterator-helpers (map, filter, ...), not find or some,
// which jsdom's tree walking calls.
if (typeof Iterator !== 'undefined') {
  const helpers = {
    find(fn) { let i = 0; for (const v of this) if (fn(v, i++)) return v; return undefined; },
    some(fn) { let i = 0; for (const v of this) if (fn(v, i++)) return true; return false; },
    every(fn) { let i = 0; for (const v of this) if (!fn(v, i++)) return false; return true; },
    forEach(fn) { let i = 0; for (const v of this) fn(v, i++); },
    toArray() { return [...this]; },
    reduce(fn, ...init) { let acc = init[0]; let first = init.length === 0; let i = 0; for (const v of this) { acc = first ? v : fn(acc, v, i); first = false; i++; } return acc; },
  };
  for (const [name, fn] of Object.entries(helpers)) {
    if (typeof Iterator.prototype[name] !== 'function') Object.defineProperty(Iterator.prototype, name, { value: fn, configurable: true, writable: true });
  }
}
const { JSDOM } = await import('jsdom');
const { window } = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
for (const name of ['window', 'document', 'navigator', 'Element', 'HTMLElement', 'Node', 'DocumentFragment', 'DOMParser', 'MutationObserver']) {
  if (globalThis[name] === undefined || name === 'window' || name === 'document') {
    Object.defineProperty(globalThis, name, { value: name === 'window' ? window : window[name], configurable: true, writable: true });
  }
}

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

const diagrams = JSON.parse(readFileSync(input, 'utf8'));
const results = [];
for (const d of diagrams) {
  try {
    // Without suppressErrors, parse throws on an invalid diagram (and on an unknown diagram type).
    await mermaid.parse(d.text);
    results.push({ name: d.name, ok: true });
  } catch (e) {
    results.push({ name: d.name, ok: false, error: String(e && e.message ? e.message : e).split('\n').slice(0, 6).join('\n') });
  }
}
writeFileSync(output, JSON.stringify(results, null, 2));
