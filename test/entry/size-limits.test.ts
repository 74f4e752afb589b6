/*
 * Issue 17: a file of src/ a newcomer can hold in mind. No file over 400 lines, no function (constructors, methods and
 * arrow functions included) over 80, so a long constructor is split into named steps when it grows, not in a later
 * clean-up.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The functions of a source text longer than `max` lines, as `file:line name (n lines)`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const lines = src.getLineAndCharacterOfPosition(node.end).line - start + 1;
      const named = (node as { name?: ts.Node }).name ?? (node.parent as { name?: ts.Node }).name;
      if (lines > max) found.push(`${file}:${start + 1} ${named ? named.getText() : '<anonymous>'} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

test('the measure finds a long function, a long constructor and a long arrow function', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = `function f() {\n${body(80)}\n}\nclass C {\n  constructor() {\n${body(10)}\n  }\n}\nconst g = () => {\n${body(79)}\n};\n`;
  expect(longFunctions('x.ts', text, 80)).toEqual(['x.ts:1 f (82 lines)', 'x.ts:97 g (81 lines)']);
  expect(longFunctions('x.ts', text, 10)).toContain('x.ts:84 C (12 lines)');
});

test(`no file of src/ over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
  const files = sourceFiles(SRC);
  expect(files.length).toBeGreaterThan(200);
  const texts = files.map((f) => [path.relative(SRC, f), fs.readFileSync(f, 'utf8')] as const);
  expect(texts.filter(([, t]) => t.split('\n').length - 1 > MAX_FILE_LINES).map(([f, t]) => `${f} (${t.split('\n').length - 1} lines)`)).toEqual([]);
  expect(texts.flatMap(([f, t]) => longFunctions(f, t, MAX_FUNCTION_LINES))).toEqual([]);
});
