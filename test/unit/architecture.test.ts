// The shape of src/, read from the source itself: imports run one way (cli → daemon | mcp → client
// → protocol; daemon and client never meet; the browser code imports only protocol), no file imports
// itself through others, the daemon's folders stack without circles, and no file reaches 300 lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const MAX_LINES = 300;

// What each part of src/ may import besides itself. `shared` is the files at the top of src/
// (errors, log, version, backoff). `build` is the single binary: its build script sits on top (it
// wraps the CLI's full program) and its addon loader below (the daemon and cli load addons with it).
// `native` is our C parts' loaders (src/native/*.ts): the daemon's peer check and the clients' check
// of the server share them, so they sit below both.
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['daemon', 'mcp', 'client', 'protocol', 'native', 'build', 'shared'],
  daemon: ['protocol', 'native', 'build', 'shared'],
  mcp: ['client', 'protocol', 'shared'],
  client: ['protocol', 'native', 'shared'],
  native: ['build', 'shared'],
  web: ['protocol'],
  protocol: [],
  build: ['cli', 'shared'],
  shared: [],
};

// Every file of src/ but the native addons' build output.
function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' && dir.endsWith('native') ? [] : allFiles(p);
    return [p];
  });
}

// The relative specifiers a file imports: static and dynamic imports, re-exports, require().
export function importsOf(text: string): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n');
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']*|\.{1,2})'/gm;
  for (const m of code.matchAll(re)) out.push(m[1] as string);
  return out;
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

const rel = (f: string): string => path.relative(SRC, f);
const unresolved: string[] = [];
const everyFile = allFiles(SRC);
const files = everyFile.filter((f) => f.endsWith('.ts'));
const graph = new Map<string, string[]>(
  files.map((f) => {
    const targets = importsOf(fs.readFileSync(f, 'utf8')).map((s) => {
      const t = resolve(f, s);
      if (t === null) unresolved.push(`${rel(f)}: ${s}`);
      return t;
    });
    return [rel(f), targets.filter((t): t is string => t !== null && t.endsWith('.ts')).map(rel)];
  }),
);

function area(file: string): string {
  const top = file.split(path.sep)[0] as string;
  return file.includes(path.sep) ? top : 'shared';
}

// The daemon folder a file of src/daemon belongs to ('.' for the files at its top).
function daemonFolder(file: string): string | null {
  const parts = file.split(path.sep);
  if (parts[0] !== 'daemon') return null;
  return parts.length > 2 ? (parts[1] as string) : '.';
}

// Every cycle's members, one array per strongly connected component of more than one node (or a
// node that imports itself).
export function cycles(edges: Map<string, Iterable<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || [...(edges.get(v) ?? [])].includes(v)) found.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture of src/', () => {
  it('finds the imports it judges (the reader is not blind)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importsOf("import type { A } from './a';\nexport { b } from '../b';\nconst c = require('./c');\nawait import('./d');\n// import x from './no';")).toEqual(['./a', '../b', './c', './d']);
    expect(cycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['a']]]))).toEqual([['a', 'b']]);
    // An import the reader cannot follow would hide its edges (the compiler says more).
    expect(unresolved).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no circle between the folders of src/daemon', () => {
    const folders = new Map<string, Set<string>>();
    for (const [from, tos] of graph) {
      const a = daemonFolder(from);
      if (a === null) continue;
      const set = folders.get(a) ?? new Set<string>();
      folders.set(a, set);
      for (const to of tos) {
        const b = daemonFolder(to);
        if (b !== null && b !== a) set.add(b);
      }
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('imports one way: cli → daemon | mcp → client → protocol, the browser code only protocol', () => {
    const wrong: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        const a = area(from);
        const b = area(to);
        if (a !== b && !(MAY_IMPORT[a] ?? []).includes(b)) wrong.push(`${from} → ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`keeps every file under ${MAX_LINES} lines`, () => {
    const long = everyFile
      .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines >= MAX_LINES)
      .map((f) => `${f.file}: ${f.lines}`);
    expect(long).toEqual([]);
  });
});
