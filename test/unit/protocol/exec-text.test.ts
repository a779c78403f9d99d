import { expect, it } from 'vitest';
import { encodeNote, encodeSendText, encodeTrailer, parseTrailer, TrailerScanner } from '../../../src/protocol/exec-text';

const TOKEN = 'tok12345abc';

// Feeds `whole` to a fresh scanner split in two at `i`; returns the output and the trailer.
function scan(whole: Buffer, i: number): { out: string; trailer: ReturnType<TrailerScanner['result']> } {
  const s = new TrailerScanner(TOKEN);
  const out = Buffer.concat([s.push(whole.subarray(0, i)), s.push(whole.subarray(i))]);
  return { out: out.toString('latin1'), trailer: s.result() };
}

it('separates output from the trailer at every split point', () => {
  const output = 'hello\n\0not-the-trailer\0tok1 still output\n';
  const whole = Buffer.concat([Buffer.from(output, 'latin1'), encodeTrailer(TOKEN, 7, 'exit')]);
  for (let i = 0; i <= whole.length; i++) {
    expect(scan(whole, i)).toEqual({ out: output, trailer: { status: 7, reason: 'exit', fields: {} } });
  }
});

it('hands notes apart from the output at every split point, and passes other NUL text on as output', () => {
  const note = (t: string): Buffer => encodeNote(TOKEN, Buffer.from(t, 'latin1'));
  const parts = [note(''), Buffer.from('out 1\n\0tok'), note('pty-relay: a note\n'), Buffer.from(`\0${TOKEN}?x\0${TOKEN}!x\n`), note('block\nwith \0 inside\n'), Buffer.from('partial'), encodeTrailer(TOKEN, 3, 'exit')];
  const whole = Buffer.concat(parts);
  for (let i = 0; i <= whole.length; i++) {
    for (const j of [i, Math.min(whole.length, i + 7)]) {
      const notes: string[] = [];
      const s = new TrailerScanner(TOKEN, (d) => notes.push(d.toString('latin1')));
      const out = Buffer.concat([s.push(whole.subarray(0, i)), s.push(whole.subarray(i, j)), s.push(whole.subarray(j))]);
      expect(out.toString('latin1')).toBe(`out 1\n\0tok\0${TOKEN}?x\0${TOKEN}!x\npartial`);
      expect(notes).toEqual(['', 'pty-relay: a note\n', 'block\nwith \0 inside\n']);
      expect([s.notes, s.result()]).toEqual([3, { status: 3, reason: 'exit', fields: {} }]);
    }
  }
});

it('carries key=value fields, percent-encoded, through every split point', () => {
  const fields = { job: 3, session: 'build', cwd: '/tmp/a b;c=d', prompt: 'Password: ', echo: 'off' };
  const whole = Buffer.concat([Buffer.from('out\n'), encodeTrailer(TOKEN, 124, 'input', fields)]);
  expect(whole.subarray(4).toString('latin1')).toBe(`\0${TOKEN};124;input;job=3;session=build;cwd=%2Ftmp%2Fa%20b%3Bc%3Dd;prompt=Password%3A%20;echo=off\n`);
  for (let i = 0; i <= whole.length; i++) {
    expect(scan(whole, i)).toEqual({ out: 'out\n', trailer: { status: 124, reason: 'input', fields: { job: '3', session: 'build', cwd: '/tmp/a b;c=d', prompt: 'Password: ', echo: 'off' } } });
  }
});

it('round-trips unicode, newlines and NUL-free control text in values', () => {
  const prompt = 'Mot de passe pour héloïse ✓\n> ';
  const t = encodeTrailer(TOKEN, 124, 'input', { prompt }).toString('latin1');
  expect(t.indexOf('\n')).toBe(t.length - 1);
  expect(parseTrailer(t.slice(TOKEN.length + 2))?.fields.prompt).toBe(prompt);
});

it.each([
  ['0;exit\n', { status: 0, reason: 'exit', fields: {} }],
  ['124;running;job=12;session=default;cwd=%2Froot\n', { status: 124, reason: 'running', fields: { job: '12', session: 'default', cwd: '/root' } }],
  ['1;exit;future-key=x;job=2\n', { status: 1, reason: 'exit', fields: { 'future-key': 'x', job: '2' } }],
  ['1;exit;novalue;Bad=1;job=4\n', { status: 1, reason: 'exit', fields: { job: '4' } }],
  ['1;exit;prompt=100%\n', { status: 1, reason: 'exit', fields: { prompt: '100%' } }],
  ['1;exit;cwd=\n', { status: 1, reason: 'exit', fields: { cwd: '' } }],
  ['1;exit', null],
  ['x;exit\n', null],
  ['1;EXIT\n', null],
  ['', null],
])('parses the trailer text %j', (text, expected) => {
  expect(parseTrailer(text)).toEqual(expected);
});

it('returns held output when the stream ends without a trailer', () => {
  const s = new TrailerScanner(TOKEN);
  expect(s.push(Buffer.from('abc\0tok')).toString()).toBe('abc');
  expect(s.result()).toBeNull();
  expect(s.rest().toString()).toBe('\0tok');
});

it('waits for the whole trailer line before reporting it', () => {
  const s = new TrailerScanner(TOKEN);
  s.push(Buffer.from(`x\0${TOKEN};0;exit;cwd=%2F`));
  expect(s.result()).toBeNull();
  s.push(Buffer.from('tmp\n'));
  expect(s.result()).toEqual({ status: 0, reason: 'exit', fields: { cwd: '/tmp' } });
});

it.each([
  ['y\n', 'y\\n'],
  ['plain text', 'plain text'],
  [' lead and trail  ', '\\x20lead and trail\\x20\\x20'],
  ['a\\nb', 'a\\\\nb'],
  ['\x1b:wq\r', '\\e:wq\\r'],
  ['\x03', '\\x03'],
  ['tab\there\x7f', 'tab\\there\\x7f'],
  ['né ✓', 'né ✓'],
  ['line\u2028sep', 'line\\xe2\\x80\\xa8sep'],
  ['', ''],
])('encodes %j for #!send as %j', (text, encoded) => {
  expect(encodeSendText(text)).toBe(encoded);
});
