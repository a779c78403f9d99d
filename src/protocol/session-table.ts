// The `pty-relay ls` table (and `#!sessions`'s, and the MCP tool `sessions`'s): one row per session, ages and idle times in short units; then one line
// per sandboxed session saying its profile and what enforces each cap. A shell session's row says
// what it does: its running or last command and how that is going or ended. HOLDER says who keeps
// its program should the daemon die (README "Sessions that survive the daemon"), and a session
// whose holder was lost gets a line in words.
import type { JobActivity, SessionSummary } from './frame';
import { describeSandbox } from './sandbox-info';

// Renders sessions as aligned columns under a header row; `now` is the clock in ms.
export function sessionTable(sessions: SessionSummary[], now = Date.now()): string {
  const rows = [['NAME', 'PID', 'HOLDER', 'CLIENTS', 'AGE', 'IDLE', 'BYTES', 'STATE', 'COMMAND']];
  for (const s of sessions) {
    const a = s.activity ?? null;
    rows.push([s.name, String(s.pid ?? '-'), holderCell(s.holder), String(s.clients), duration(now - Date.parse(s.createdAt)), duration(s.idleMs), String(s.bytes), a === null ? s.state : activityState(a, now), a === null ? s.command : a.command]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')).join('\n') + '\n';
  const sandboxed = sessions.filter((s) => s.sandbox !== undefined).map((s) => `sandbox ${s.name}: ${describeSandbox(s.sandbox!)}\n`);
  const lost = sessions.filter((s) => s.holder?.state === 'lost').map((s) => `lost holder ${s.name}: ${LOST_WORDS}\n`);
  return table + sandboxed.join('') + lost.join('');
}

export const LOST_WORDS = "its holder died while no daemon ran, so its shell is gone; its history and job output are kept (pty-relay jobs, #!output N); the next request starts a new shell";

// "held 1234" (the holder's pid), "none", or "LOST"; "-" from a daemon that does not say.
function holderCell(h: SessionSummary['holder']): string {
  if (h === undefined) return '-';
  if (h.state === 'held') return h.pid === null ? 'held' : `held ${h.pid}`;
  return h.state === 'lost' ? 'LOST' : 'none';
}

// How a session's command is going, in a few words: "running 12s", "NEEDS INPUT 3s",
// "exit 0 5m ago", "FAILED exit 3 1m ago" (capitals: something needs you).
export function activityState(a: JobActivity, now = Date.now()): string {
  const took = a.durationMs === null ? '' : ` ${duration(a.durationMs)}`;
  if (a.state === 'queued') return 'queued';
  if (a.needsYou === 'input') return `NEEDS INPUT${took}`;
  if (a.state === 'running') return `running${took}`;
  const ended = Date.parse(a.startedAt) + (a.durationMs ?? 0);
  const how = a.status === null ? a.state : `exit ${a.status}`;
  return `${a.needsYou === 'failed' ? 'FAILED ' : ''}${how} ${duration(now - ended)} ago`;
}

export function duration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
