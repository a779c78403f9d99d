// Section 6: start-up of the single binary, warm and cold, and a fresh daemon's first reply.
import { execFileSync } from 'node:child_process';
import { BIN, QUICK, notes, record, section, startRelay } from './context';
import { execTcp } from './exec';
import { repeat, stat, timed } from './lib';

export async function startup(): Promise<void> {
  section('6. Start-up of the single binary');
  const warm = await repeat(QUICK ? 10 : 30, async () => (await timed([BIN, '--version'], '', { PATH: '/usr/bin:/bin' }))[0], 3);
  record(stat('pty-relay --version, warm', 'ms', warm));
  const cold: number[] = [];
  for (let i = 0; i < (QUICK ? 2 : 5); i++) {
    try {
      execFileSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    } catch {
      notes.push('Cold start: the page cache could not be dropped here, so "cold" runs are skipped.');
      break;
    }
    cold.push((await timed([BIN, '--version'], '', { PATH: '/usr/bin:/bin' }))[0]);
  }
  if (cold.length > 0) record(stat('pty-relay --version, cold (page cache dropped)', 'ms', cold));
  const firstPrompt = await repeat(QUICK ? 2 : 5, async () => {
    const t = Date.now();
    const d = await startRelay();
    await execTcp(d.port, 'true\n');
    const ms = Date.now() - t;
    d.stop();
    return ms;
  }, 0);
  record(stat('serve → listening → first exec reply (fresh shell)', 'ms', firstPrompt));
}
