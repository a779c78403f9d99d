// The daemon's own lines speak to netcat users, in directives (`#!wait 4`, or in older daemons a
// whole `printf '#!wait 4\n' | nc localhost 9998` line), which a model behind MCP cannot send.
// Here they are reworded to name the tools and their arguments, and the notice about output a
// `#!limit` left out becomes facts for the structured result.

// A pasteable command line of older daemons: printf '…' | CLIENT…, up to the next "; " or the end.
const PASTEABLE_RE = /printf '((?:[^'\\]|\\.|'\\'')*)' \| [^;\n]*/g;
// One directive mention: `#!name` and its argument words (a `#!send` takes the rest of the clause);
// not one in quotes, which names the directive itself ('unknown directive "#!x"').
const DIRECTIVE_RE = /(?<!")#!(send) [^;\n)]*|(?<!")#!([a-z][a-z-]*)((?: \d+)*)/g;

// Where a call goes: its session, and its target when that is not the default one.
export interface Where {
  session: string;
  target?: string;
}

// A tool call as a model can paste it: `wait {"job":4,"session":"build"}`.
export function call(tool: string, args: Record<string, number | string | undefined>, w: Where): string {
  return `${tool} ${JSON.stringify({ ...args, session: w.session, ...(w.target !== undefined ? { target: w.target } : {}) })}`;
}

// The call that ends the session: `end_session {"name":"py"}` (its argument is `name`).
export function endSession(w: Where): string {
  return `end_session ${JSON.stringify({ name: w.session, ...(w.target !== undefined ? { target: w.target } : {}) })}`;
}

// Text with the directives it mentions named as tools: `#!wait 4` → `wait {"job":4,"session":"s"}`.
export function toolWording(text: string, w: Where): string {
  return text
    .replace(/pty-relay kill ([A-Za-z0-9][A-Za-z0-9_.-]*)/g, (_m, name: string) => endSession({ ...w, session: name }))
    .replace(/#!send \\x([0-9a-fA-F]{2})/g, (_m, hex: string) => call('send', { text: String.fromCharCode(parseInt(hex, 16)) }, w))
    .replace(PASTEABLE_RE, (_m, fmt: string) => fmt.replace(/\\n/g, ' ').replace(/#!session \S+ /g, '').trim())
    .replace(/; first line of each: #!session \S+/g, '')
    .replace(/\(see #!jobs\)/g, '(see the jobs tool)')
    .replace(/send a command instead/g, 'start a command with run instead')
    .replace(/a command starts one/g, 'run with this session name starts one')
    .replace(DIRECTIVE_RE, (m, send: string | undefined, name: string | undefined, args: string | undefined) => {
      if (send !== undefined) return 'send';
      const n = (args ?? '').trim().split(' ').filter((a) => a !== '').map(Number);
      switch (name) {
        case 'wait':
        case 'kill':
          return call(name, n[0] === undefined ? {} : { job: n[0] }, w);
        case 'output':
          return call('output', { job: n[0] as number, ...(n[1] !== undefined ? { from: n[1] } : {}), ...(n[2] !== undefined ? { to: n[2] } : {}) }, w);
        case 'screen':
        case 'jobs':
          return call(name, {}, w);
        case 'session':
          return 'another session name';
        case 'nowait':
          return 'the default (run does not queue)';
        case 'timeout':
          return 'timeout';
        case 'interactive':
          return 'interactive: true';
        default:
          return m;
      }
    });
}

// The daemon's notice about output a `#!limit` left out, and where it was.
const LEFT_OUT_RE = /(^|\n)pty-relay: (\d+) bytes left out \(offsets (\d+) to (\d+) of job (\d+)'s output\)[^\n]*\n/;

export interface LeftOut {
  job: number;
  from: number;
  to: number;
  bytes: number;
}

// Finds the left-out notice; the text gets a line naming the `output` tool in its place.
export function leftOut(text: string, totalBytes: number | undefined, w: Where): { text: string; omitted: LeftOut | null } {
  const m = LEFT_OUT_RE.exec(text);
  if (m === null) return { text, omitted: null };
  const [job, from, to, bytes] = [m[5], m[3], m[4], m[2]].map(Number) as [number, number, number, number];
  const of = totalBytes !== undefined ? ` of ${totalBytes}` : '';
  const line = `[${bytes} bytes left out here (bytes ${from} to ${to}${of} of job ${job}'s output); fetch them with ${call('output', { job, from, to }, w)}]\n`;
  return { text: text.replace(LEFT_OUT_RE, `$1${line}`), omitted: { job, from, to, bytes } };
}

// The relay's own lines ("pty-relay: …") of a reply in tool wording; the command's lines as they are.
export function relayLinesWorded(text: string, w: Where): string {
  return text.replace(/(^|\n)(pty-relay: [^\n]*)/g, (_m, start: string, line: string) => `${start}${toolWording(line, w)}`);
}
