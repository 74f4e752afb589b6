/*
 * The import graph of source folders, and its cycles. Two graphs: `runtime` holds the imports the compiled JavaScript
 * keeps (TypeScript drops an import whose names are used only as types), `all` every import and re-export, types
 * included. A cycle is a strongly connected component of more than one file, or a file that imports itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const found = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
  return found && path.relative(root, found);
}

/** The runtime and full import graphs of the `.ts` files under `dirs` (paths relative to `root`). */
export function importGraphs(root: string, dirs: string[]): { runtime: ImportGraph; all: ImportGraph } {
  const runtime: ImportGraph = new Map();
  const all: ImportGraph = new Map();
  for (const file of dirs.flatMap((d) => sourceFiles(path.join(root, d)))) {
    const text = fs.readFileSync(file, 'utf8');
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const name = path.relative(root, file);
    runtime.set(name, [...js.matchAll(/require\("([^"]+)"\)/g)].flatMap((m) => resolveImport(root, file, m[1]) ?? []));
    const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const edges: string[] = [];
    src.forEachChild((n) => {
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
        const to = resolveImport(root, file, n.moduleSpecifier.text);
        if (to) edges.push(to);
      }
    });
    all.set(name, edges);
  }
  return { runtime, all };
}

/** The cycles of a graph (Tarjan's strongly connected components; edges to files outside the graph are ignored). */
export function cycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}
