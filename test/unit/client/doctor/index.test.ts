// The server checks are Linux only, like the daemon: off Linux `auto` leaves them out even where a
// runtime directory exists, and --server says so in one line instead of reading /proc.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runDoctor, wantsServer, type DoctorOptions } from '../../../../src/client/doctor';

const runtimeBase = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-doctor-platform-'));
afterAll(() => fs.rmSync(runtimeBase, { recursive: true, force: true }));

const options = (platform: NodeJS.Platform, server: DoctorOptions['server']): DoctorOptions => ({
  platform,
  server,
  runtimeBase,
  client: false,
  endpoint: { host: '127.0.0.1', port: 1 },
  secret: { secret: null, error: null },
  defaultShell: '/bin/bash',
  cacheDirs: [],
});

it('auto runs the server checks on Linux only', () => {
  expect(wantsServer(options('linux', 'auto'))).toBe(true);
  expect(wantsServer(options('darwin', 'auto'))).toBe(false);
});

it('--server off Linux is one skip line, with where to run it', async () => {
  const checks = await runDoctor(options('darwin', true));
  expect(checks).toEqual([{ id: 'server', status: 'skip', message: 'the server checks are for Linux, where the daemon runs (this is darwin): run `pty-relay doctor --server` on the server' }]);
});
