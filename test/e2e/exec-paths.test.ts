// `pty-relay exec` has two ways in: the fast path (cli/exec-fast.ts: no commander, pino, node-pty
// or daemon code) and the full command line (commander), which takes whatever the fast path does
// not understand. Both must send the same request and end the same way. A scripted peer on
// loopback records each request; `--port P` takes the fast path and `-pP` (a short option with its
// value attached, which the fast path leaves to commander) the full one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, type ClientResult } from '../helpers/clients';
import { RELAY_BIN } from '../helpers/daemon';
import { scriptedPeer, type ScriptedPeer } from '../helpers/scripted-peer';

interface Seen {
  directives: string[]; // without the leading `#!trailer TOKEN`
  script: string;
}

let peer: ScriptedPeer;
let port = 0;
let seen: Seen[] = [];
let dir: string;
let preload: string;

beforeAll(async () => {
  peer = await scriptedPeer((r) => {
    const token = r.trailer !== null && /^[0-9a-f]{24}$/.test(r.trailer) ? r.trailer : 'none';
    seen.push({ directives: r.directives.slice(1), script: r.script });
    // As the daemon answers a client that reads its notes apart: an empty note first (it knows
    // #!notes), then output, a note, the trailer.
    const note = (t: string): string => `\0${token}!${Buffer.byteLength(t)}\n${t}`;
    const notes = r.directives.includes('#!notes');
    return `${notes ? note('') : ''}out of ${r.script.split('\n')[0] ?? ''}\n${notes ? note('pty-relay: a note\n') : ''}\0${token};3;exit\n`;
  });
  port = peer.port;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-exec-paths-'));
  // Says on stderr, at exit, whether the process loaded node:child_process (commander and
  // node-pty do; the fast path must not).
  preload = path.join(dir, 'preload.js');
  fs.writeFileSync(preload, "process.on('exit', () => process.stderr.write(process.moduleLoadList.includes('NativeModule child_process') ? '[full]\\n' : '[fast]\\n'));\n");
});
afterAll(() => {
  peer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Runs `pty-relay exec` with the port given as `portArgs`; returns its result and the request seen.
async function exec(portArgs: string[], args: string[], input: string): Promise<ClientResult & { request: Seen | undefined }> {
  seen = [];
  const r = await run([process.execPath, '-r', preload, RELAY_BIN, 'exec', ...portArgs, ...args], input);
  return { ...r, request: seen[0] };
}

it.each([
  [['--', 'echo', 'hi'], ''],
  [['-s', 'build', '-t', '2.5', '--', 'make'], ''],
  [['--raw', '--', 'cat', 'file.bin'], ''],
  [['--limit', '5000', '--', 'seq', '100000'], ''],
  [['--limit=20', '--raw', 'x'], ''],
  [['--interactive', '-s', 'py', '--', 'python3', '-q'], ''],
  [['--interactive', '--limit', '300', '--raw', '-t', '1'], 'printf %s\\\\n a\n'],
])('the fast path sends and ends as the full command line does: %j', async (args, input) => {
  const fast = await exec(['--port', String(port)], args, input);
  const full = await exec([`-p${port}`], args, input);
  expect(fast.stderr).toBe('pty-relay: a note\n[fast]\n');
  expect(full.stderr).toBe('pty-relay: a note\n[full]\n');
  expect(fast.request).toBeDefined();
  expect(fast.request).toEqual(full.request);
  expect(fast.stdout).toBe(full.stdout);
  expect(fast.stdout).toMatch(/^out of \S/);
  expect(fast.code).toBe(3);
  expect(full.code).toBe(3);
});

it('sends the directives in the documented order', async () => {
  const r = await exec(['--port', String(port)], ['--limit', '300', '--interactive', '--raw', '-s', 'py', '-t', '1', '--', 'python3'], '');
  expect(r.request).toEqual({ directives: ['#!notes', '#!session py', '#!timeout 1', '#!raw', '#!interactive', '#!limit 300'], script: 'python3\n' });
});

it.each([
  [['-s', 'localhost', '--', 'true'], '`pty-relay exec -s` names the session; to reach the daemon at localhost use --host localhost [PR_ERR_USAGE]'],
  [['--limit', '0', '--', 'true'], 'invalid count "0" [PR_ERR_USAGE]'],
])('leaves %j to the full command line, which refuses it', async (args, message) => {
  const r = await exec(['--port', String(port)], args, '');
  expect(r.stderr).toContain(message);
  expect(r.stderr).toMatch(/\[full\]\n$/);
  expect(r.code).toBe(2);
  expect(r.request).toBeUndefined();
});
