// Finding 2 of issue 20: the single binary loaded its embedded native addon from a cache under
// /tmp, where another user who made the base directory first could swap in their own .so between
// the hash check and the dlopen. Now the addon is loaded from an unnamed file (O_TMPFILE) through
// /proc/self/fd: there is no name to swap. Here a real second user sets the old trap and keeps
// swapping while the real binary (dist/pty-relay) starts several times; their code must never run.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { within } from '../helpers/deadline';
import { SecondUser } from '../helpers/second-user';

const BIN = path.join(ROOT, 'dist/pty-relay');
const other = new SecondUser('na');
let work: string;

beforeAll(() => {
  if (!fs.existsSync(BIN)) throw new Error('dist/pty-relay is missing: run `make binary`');
  other.create();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-native-sec-'));
  fs.chmodSync(work, 0o755);
});
afterAll(() => {
  other.remove();
  fs.rmSync(work, { recursive: true, force: true });
});

// The attacker's .so: loading it leaves a file named after the loader's uid.
const EVIL = (marks: string): string => `#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void pwn(void) {
  char p[512]; snprintf(p, sizeof p, "${marks}/pwned-by-uid-%d", (int)getuid());
  FILE *f = fopen(p, "w"); if (f) fclose(f);
}
`;

// Swaps two names in the current directory (RENAME_EXCHANGE, atomic) as fast as it can while both
// exist (resting 0.2 ms between tries while one is missing), until STOP exists or its time is up.
const SWAPPER = `#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 5 || chdir(argv[1]) != 0) return 2;
  time_t end = time(0) + atoi(argv[4]);
  for (unsigned long i = 0;; i++) {
    if (renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE) != 0) usleep(200);
    if ((i & 1023) == 0 && (access("STOP", F_OK) == 0 || time(0) > end)) return 0;
  }
}
`;

it("never loads another user's .so planted where the old addon cache was", async () => {
  // A private stand-in for /tmp (root's, 1777) so that no other test's real cache is touched.
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
  const marks = other.dir(path.join(work, 'marks'), 0o777);
  // The old loader's base for this uid, made first by the other user, world-writable, with their
  // .so ready in a directory beside the name the victim's leaf would get.
  const base = other.dir(path.join(tmp, `pty-relay-native-${process.getuid!()}`), 0o777);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'node_modules/node-pty/build/Release/pty.node'))).digest('hex');
  const leaf = `native-${hash.slice(0, 16)}`;
  const evilDir = other.dir(path.join(base, 'evil'), 0o777);
  other.compile(EVIL(marks), path.join(evilDir, 'pty.node'), true);
  const swapper = other.compile(SWAPPER, path.join(work, 'swapper'));
  const swapping = spawn('runuser', ['-u', other.name, '--', swapper, base, leaf, 'evil', '120'], { stdio: 'ignore' });
  const swapperDone = new Promise((r) => swapping.once('exit', r));
  try {
    const outputs: string[] = [];
    for (let i = 0; i < 6; i++) outputs.push((await run(['env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/dev/null', `TMPDIR=${tmp}`, BIN, 'self-test'], '')).stdout);
    expect(fs.readdirSync(marks)).toEqual([]);
    // The binary never made anything under the other user's directory, nor left anything in tmp.
    expect(fs.readdirSync(base)).toEqual(['evil']);
    expect(fs.readdirSync(tmp)).toEqual([path.basename(base)]);
    for (const out of outputs) expect(out).toBe('pty-self-test-ok\nsock-diag-ok\ntermios-ok\nholder-ok\ncode-cache-used\n');
  } finally {
    other.exec(['touch', path.join(base, 'STOP')]);
    await within('the swapper to stop', swapperDone, 10_000);
  }
});
