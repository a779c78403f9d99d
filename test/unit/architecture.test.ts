// The shape of src/, read from the source itself: imports run one way (cli → daemon | mcp → client
// → protocol; daemon and client never meet; the browser code imports only protocol), no file imports
// itself through others, the folders stack without circles, no file reaches 300 lines, each daemon
// folder's main file says what the folder owns, and test/unit mirrors src/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const UNIT = __dirname;
const MAX_LINES = 300;

// What each part of src/ may import besides itself. `shared` is the files at the top of src/
// (errors, log, version, backoff). `build` is the single binary's build script, on top (it wraps
// the CLI's full program). `native` is our C parts' loaders and the single binary's addon loader
// (src/native/*.ts): the daemon's peer check and the clients' check of the server share them, so
// they sit below both.
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['daemon', 'mcp', 'client', 'protocol', 'native', 'shared'],
  daemon: ['protocol', 'native', 'shared'],
  mcp: ['client', 'protocol', 'shared'],
  client: ['protocol', 'native', 'shared'],
  native: ['shared'],
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

// The folder a file of src/ is in ('.' for the files at the top of src/).
const folderOf = (file: string): string => path.dirname(file);

// The main file of each folder of src/daemon, whose header says what the folder owns: the file
// named after the folder, else this one.
const MAIN_FILE: Record<string, string> = {
  base: 'ring.ts',
  conn: 'context.ts',
  events: 'bus.ts',
  exec: 'connection.ts',
  holder: 'link.ts',
  jobs: 'job-runner.ts',
  journal: 'session-journal.ts',
  upgrade: 'outgoing.ts',
  web: 'web-server.ts',
};

// The comment lines a file starts with, as one text.
function header(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//'));
  return lines.slice(0, end === -1 ? lines.length : end).map((l) => l.replace(/^\/\/ ?/, '')).join(' ');
}

// The test files under `dir`, relative to it.
function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p).map((f) => path.join(e.name, f));
    return e.name.endsWith('.test.ts') ? [e.name] : [];
  });
}

// The src/ file a unit test file is about: test/unit/A/B.test.ts tests src/A/B.ts; a second file
// about one aspect of it is B-ASPECT.test.ts. Null when no such file exists.
export function testedFile(test: string, exists: (srcFile: string) => boolean): string | null {
  const dir = path.dirname(test);
  const parts = path.basename(test, '.test.ts').split('-');
  for (let n = parts.length; n > 0; n--) {
    const file = path.join(dir, `${parts.slice(0, n).join('-')}.ts`);
    if (exists(file)) return file;
  }
  return null;
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
    const known = new Set(['a/b.ts', 'a/b-c.ts', 'x.ts']);
    expect(['a/b.test.ts', 'a/b-c-d.test.ts', 'a/b-e.test.ts', 'x-y.test.ts', 'a/c.test.ts', 'b.test.ts'].map((t) => testedFile(t, (f) => known.has(f))))
      .toEqual(['a/b.ts', 'a/b-c.ts', 'a/b.ts', 'x.ts', null, null]);
    // An import the reader cannot follow would hide its edges (the compiler says more).
    expect(unresolved).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no circle between the folders of src/ (the daemon\'s folders included)', () => {
    const folders = new Map<string, Set<string>>();
    for (const [from, tos] of graph) {
      const a = folderOf(from);
      const set = folders.get(a) ?? new Set<string>();
      folders.set(a, set);
      for (const to of tos) if (folderOf(to) !== a) set.add(folderOf(to));
    }
    expect([...folders.keys()]).toContain(path.join('daemon', 'jobs'));
    expect(cycles(folders)).toEqual([]);
  });

  it("has a main file in each folder of src/daemon whose header says what the folder owns", () => {
    const daemon = path.join(SRC, 'daemon');
    const folders = fs.readdirSync(daemon, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThan(10);
    const missing = folders.filter((f) => {
      const main = path.join(daemon, f, MAIN_FILE[f] ?? `${f}.ts`);
      return !fs.existsSync(main) || !header(main).includes(`${f}/ owns `);
    });
    expect(missing).toEqual([]);
  });

  it('mirrors src/ in test/unit: each unit test file is named after the src/ file it tests', () => {
    const tests = testFiles(UNIT).filter((t) => t !== 'architecture.test.ts');
    expect(tests.length).toBeGreaterThan(50);
    const orphans = tests.filter((t) => testedFile(t, (f) => fs.existsSync(path.join(SRC, f))) === null);
    expect(orphans).toEqual([]);
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
