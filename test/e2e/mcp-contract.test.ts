// The contract between `pty-relay mcp` and the daemon's exec text, checked byte for byte: the
// directive lines each tool sends, and the extended trailer (reasons running and input, key=value
// fields) it reads back. A small scripted peer on loopback stands in for the daemon here, so the
// format is pinned down whatever the daemon in this tree can do; mcp-jobs.test.ts runs the same
// tools against the real one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { relayMcp, type McpSession } from '../helpers/mcp';
import { scriptedPeer, type ScriptedPeer } from '../helpers/scripted-peer';

interface Seen {
  directives: string[];
  script: string;
}

let peer: ScriptedPeer;
let port = 0;
const seen: Seen[] = [];
// What the peer answers next: output, then the trailer after "NUL TOKEN;".
let answer: { output: string; trailer: string } = { output: '', trailer: '0;exit' };

beforeAll(async () => {
  peer = await scriptedPeer((r) => {
    seen.push({ directives: r.directives, script: r.script });
    return `${answer.output}\0${r.trailer ?? 'none'};${answer.trailer}\n`;
  });
  port = peer.port;
});
afterAll(() => peer.close());

let m: McpSession;
beforeAll(async () => {
  m = await relayMcp(['--port', String(port)]);
});
afterAll(async () => m.close());

// Calls a tool and returns the directives it sent, without the trailer line.
async function sent(tool: string, args: Record<string, unknown>): Promise<Seen & { result: Awaited<ReturnType<McpSession['call']>> }> {
  const before = seen.length;
  const result = await m.call(tool, args);
  expect(seen.length).toBe(before + 1);
  const s = seen[before]!;
  expect(s.directives[0]).toMatch(/^#!trailer [A-Za-z0-9_-]{8,64}$/);
  return { directives: s.directives.slice(1), script: s.script, result };
}

it('sends each tool as the documented directive lines', async () => {
  expect(await sent('run', { command: 'make -j4\necho done' })).toMatchObject({ directives: ['#!timeout 30', '#!nowait', '#!limit 30000'], script: 'make -j4\necho done\n' });
  expect((await sent('run', { command: 'python3', session: 'py', timeout: 2.5, interactive: true, limit: 5000 })).directives).toEqual(['#!session py', '#!timeout 2.5', '#!nowait', '#!interactive', '#!limit 5000']);
  expect((await sent('wait', {})).directives).toEqual(['#!nocreate', '#!timeout 30', '#!wait', '#!limit 30000']);
  expect((await sent('wait', { job: 7, timeout: 60, session: 'b' })).directives).toEqual(['#!session b', '#!nocreate', '#!timeout 60', '#!wait 7', '#!limit 30000']);
  expect(await sent('send', { text: ' y\n\u001b:wq\r\\' })).toMatchObject({ directives: ['#!nocreate', '#!timeout 30', '#!send \\x20y\\n\\e:wq\\r\\\\', '#!limit 30000'], script: '' });
  expect((await sent('screen', { session: 'vim' })).directives).toEqual(['#!session vim', '#!nocreate', '#!screen']);
  expect((await sent('kill', {})).directives).toEqual(['#!nocreate', '#!kill']);
  expect((await sent('kill', { job: 3 })).directives).toEqual(['#!nocreate', '#!kill 3']);
  expect((await sent('jobs', {})).directives).toEqual(['#!nocreate', '#!jobs']);
  expect((await sent('output', { job: 4 })).directives).toEqual(['#!nocreate', '#!output 4', '#!limit 30000']);
  expect((await sent('output', { job: 4, from: 100 })).directives).toEqual(['#!nocreate', '#!output 4 100', '#!limit 30000']);
  expect((await sent('output', { job: 4, to: 50 })).directives).toEqual(['#!nocreate', '#!output 4 0 50', '#!limit 30000']);
});

it('reads a job still running from the trailer, and drops the relay\'s own notice', async () => {
  answer = {
    output: 'compiling…\npty-relay: still running as job 12 in session build after 30 s; wait: printf \'#!session build\\n#!wait 12\\n\' | nc -N localhost 9998\n',
    trailer: '124;running;job=12;session=build;cwd=%2Fsrv%2Fapp',
  };
  const { result } = await sent('run', { command: 'make', session: 'build' });
  expect(result.structured).toEqual({ target: 'default', session: 'build', state: 'running', job: 12, cwd: '/srv/app' });
  // Every call the hint names pastes as it is: with the session, here not the default one.
  expect(result.text).toBe('compiling…\n[still running as job 12 in session "build"; it was not stopped. More output and its exit status: wait {"job":12,"session":"build"}; see it: screen {"session":"build"}; type: send {"session":"build","text":"…"}; stop it: kill {"job":12,"session":"build"}]');
});

it('reads a job waiting for input, with its prompt and echo, from the trailer', async () => {
  answer = { output: 'pty-relay: job 5 is waiting for input (echo off); prompt: "[sudo] password for me: "\n', trailer: '124;input;job=5;session=default;prompt=%5Bsudo%5D%20password%20for%20me%3A%20;echo=off' };
  const { result } = await sent('run', { command: 'sudo true' });
  expect(result.structured).toEqual({ target: 'default', session: 'default', state: 'waiting-for-input', job: 5, prompt: '[sudo] password for me: ', echo: false });
  expect(result.text).toBe('[job 5 in session "default" is waiting for input with echo off (a password prompt); prompt: "[sudo] password for me: ". Answer: send {"session":"default","text":"…"} ("\\n" is Enter); see it: screen {"session":"default"}; stop it: kill {"job":5,"session":"default"}]');
});

it('reads an exit with its cwd, and a relay error as a tool error', async () => {
  answer = { output: 'built\n', trailer: '0;exit;job=13;cwd=%2Fsrv%2Fapp%20two' };
  expect((await sent('wait', { job: 13 })).result.structured).toEqual({ target: 'default', session: 'default', state: 'done', exitStatus: 0, job: 13, cwd: '/srv/app two' });
  answer = { output: 'pty-relay: error: no job 99 in session "default"\n', trailer: '255;error' };
  expect((await sent('wait', { job: 99 })).result).toMatchObject({ isError: true, text: 'pty-relay: error: no job 99 in session "default"' });
  answer = { output: '', trailer: '0;exit' };
});
