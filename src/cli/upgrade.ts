// `pty-relay upgrade`: asks the running daemon to hand every session to a new daemon started from
// the pty-relay installed now (the systemd unit's ExecReload= runs it). Exits 0 once the new
// daemon serves; otherwise says why, with the old daemon still serving.
import type { Command } from 'commander';
import { request } from '../client/link';
import { RelayError } from '../errors';
import { clientConnection, connectOptions } from './client';

// Adds `pty-relay upgrade`.
export function addUpgradeCommand(program: Command): void {
  connectOptions(program.command('upgrade'))
    .description('replace the running daemon by the pty-relay installed now; every session, job and attached client carries on')
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      const { endpoint, secret } = clientConnection(o);
      const reply = await request(endpoint, secret, { op: 'upgrade' });
      if (!reply.ok) {
        if (reply.code === 'PR_ERR_FRAME_BODY') throw new RelayError('PR_ERR_UPGRADE', 'the running daemon predates upgrades; restart it instead (its sessions end)');
        throw new RelayError('PR_ERR_UPGRADE', reply.message);
      }
      const u = reply.upgrade;
      if (u === undefined) throw new RelayError('PR_ERR_UPGRADE', 'the daemon answered without a report');
      if (o.json) process.stdout.write(`${JSON.stringify(u, null, 2)}\n`);
      else {
        const conns = u.connections > 0 ? ` and ${u.connections} connection(s) that arrived meanwhile` : '';
        process.stdout.write(`upgraded: pid ${u.from.pid} (${u.from.version}) -> pid ${u.to.pid} (${u.to.version}); handed over ${u.sessions} session(s)${conns} in ${(u.ms / 1000).toFixed(1)} s; output paused ${u.frozenMs} ms\n`);
      }
      if (u.warning !== undefined) process.stderr.write(`pty-relay: warning: ${u.warning}\n`);
    });
}
