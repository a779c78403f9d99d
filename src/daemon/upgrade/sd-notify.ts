// Tells systemd (a unit with Type=notify) about this process: READY=1 at start, and after an
// upgrade MAINPID= the new process. Node cannot send datagrams on unix sockets, so the
// systemd-notify program sends them; since systemd 246 it waits until systemd has processed the
// message (BARRIER=1), so the notice is attributed to our unit even though its sender exits at
// once (NotifyAccess=all lets a process other than the main one send it).
import { execFile } from 'node:child_process';
import type { NotifyOutcome } from './messages';

// systemd-notify waits up to 5 s for systemd to take the message; a little more than that.
const NOTIFY_TIMEOUT_MS = 8_000;

// Sends `fields` (KEY=VALUE) when NOTIFY_SOCKET is set; 'none' when it is not (not under systemd).
export function sdNotify(fields: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Promise<{ outcome: NotifyOutcome; error?: string }> {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') return Promise.resolve({ outcome: 'none' });
  const args = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  return new Promise((resolve) => {
    execFile('systemd-notify', args, { env, timeout: NOTIFY_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err === null) resolve({ outcome: 'sent' });
      else resolve({ outcome: 'failed', error: `systemd-notify ${args.join(' ')}: ${stderr.trim() || err.message}` });
    });
  });
}
