// The `pty-relay ls` table: one row per session, ages and idle times in short units; then one line
// per sandboxed session saying its profile and what enforces each cap.
import type { SessionSummary } from '../protocol/frame';
import { describeSandbox } from '../protocol/sandbox-info';

// Renders sessions as aligned columns under a header row; `now` is the clock in ms.
export function sessionTable(sessions: SessionSummary[], now = Date.now()): string {
  const rows = [['NAME', 'PID', 'CLIENTS', 'AGE', 'IDLE', 'BYTES', 'STATE', 'COMMAND']];
  for (const s of sessions) {
    rows.push([s.name, String(s.pid ?? '-'), String(s.clients), duration(now - Date.parse(s.createdAt)), duration(s.idleMs), String(s.bytes), s.state, s.command]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')).join('\n') + '\n';
  const sandboxed = sessions.filter((s) => s.sandbox !== undefined).map((s) => `sandbox ${s.name}: ${describeSandbox(s.sandbox!)}\n`);
  return table + sandboxed.join('');
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
