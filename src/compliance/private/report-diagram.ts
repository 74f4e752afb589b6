import { CustodianRole } from '../../core/custodians';
import { EvidenceLedger } from '../../core/evidence';
import type { KeyReport } from '../report-data';

const MAX_KEYS_IN_DIAGRAM = 25;

/** A Mermaid flowchart: store or parent → keys → custodian roles, audit sinks, and the custody boundary. */
export function diagram(ledger: EvidenceLedger, stack: string, keys: KeyReport[]): string {
  const ids = new Map<string, string>();
  const id = (path: string) => {
    let v = ids.get(path);
    if (!v) {
      v = `n${ids.size}`;
      ids.set(path, v);
    }
    return v;
  };
  const lines = ['flowchart LR'];
  // Nodes and edges are emitted once each. Structural lines (`subgraph`, `end`) are never de-duplicated: removing the
  // second subgraph's `end` made the whole diagram invalid.
  const emitted = new Set<string>();
  const once = (line: string) => {
    if (!emitted.has(line)) {
      emitted.add(line);
      lines.push(line);
    }
  };
  const shown = keys.slice(0, MAX_KEYS_IN_DIAGRAM);
  const customer = shown.filter((k) => k.custody === 'CUSTOMER_EXTERNAL' || k.custody === 'CUSTOMER_IMPORT');
  const provider = shown.filter((k) => !customer.includes(k));
  const node = (k: KeyReport) => `  ${id(k.path)}["${mermaidText(k.path.split('/').slice(1).join('/') || k.path)}<br/>${mermaidText(`${k.construct} · ${k.model} · ${k.profile}`)}"]`;
  if (provider.length > 0) lines.push('  subgraph provider["provider custody boundary"]', ...provider.map(node), '  end');
  if (customer.length > 0) lines.push('  subgraph customer["customer custody boundary"]', ...customer.map(node), '  end');
  for (const k of shown) {
    if (k.parent) {
      const container = ledger.containers.find((c) => c.path === k.parent);
      once(`  ${id(k.parent)}[("${mermaidText(container ? `${container.kind}: ${k.parent}` : k.parent)}")]`);
      once(`  ${id(k.parent)} --> ${id(k.path)}`);
    }
    if (k.auditSink) {
      once(`  ${id(k.auditSink)}[/"audit sink: ${mermaidText(k.auditSink)}"/]`);
      once(`  ${id(k.path)} -. events .-> ${id(k.auditSink)}`);
    }
    for (const c of k.custodians) {
      if (c.role === CustodianRole.DEPLOYER) continue;
      const r = `${c.role}:${c.identity}`;
      once(`  ${id(r)}(["${mermaidText(`${c.roleName}: ${c.name}`)}"])`);
      once(`  ${id(r)} --- ${id(k.path)}`);
    }
  }
  if (keys.length > shown.length) lines.push(`  more["${mermaidText(`… and ${keys.length - shown.length} more keys of ${stack}`)}"]`);
  return lines.join('\n');
}

/**
 * Text inside a quoted Mermaid label: a double quote would end the label, and `<`, `>`, `&` and `#` would be read as
 * markup or entity codes, so each becomes Mermaid's own entity code.
 */
function mermaidText(s: string): string {
  // A line break would end the statement and let the rest of a construct id or reason be read as Mermaid statements.
  return s.replace(/[\r\n]+/g, ' ').replace(/[#"<>&]/g, (ch) => `#${ch.charCodeAt(0)};`);
}
