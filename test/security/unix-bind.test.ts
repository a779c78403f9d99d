// Finding 5 of issue 20: a custom `--socket` in a shared directory was connectable before its
// chmod (bound at NAME.PID.tmp with the process umask, then chmod 0600, then renamed). Now it is
// bound inside a fresh 0700 directory and renamed out already 0600. Here a real second user watches
// the shared directory with inotify and tries to connect to everything that appears there, while
// the daemon starts with umask 000; no connection may ever succeed. The daemon runs under strace,
// which holds every chmod for 1.5 s: the window between the bind and the chmod, microseconds
// wide on its own, is then wide open to the watcher, so the test does not depend on winning a race.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { collectLogs, makeHome, RELAY_BIN } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { SecondUser } from '../helpers/second-user';

const other = new SecondUser('ub');
let work: string;

beforeAll(() => {
  other.create();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-bind-sec-'));
  fs.chmodSync(work, 0o755);
});
afterAll(() => {
  other.remove();
  fs.rmSync(work, { recursive: true, force: true });
});

// Watches DIR (inotify: created or moved in) and connects to each new name, and to each entry of a
// new directory, retrying while the socket is not listening yet (ECONNREFUSED, for up to 3 s). A
// connection that gets through sends CMD as an exec request and leaves MARKS/connected-NAME. Runs
// until DIR/STOP appears or its time is up.
const WATCHER = `#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
static const char *marks, *cmd;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void attempt(const char *p) {
  double until = now() + 3;
  for (;;) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, p, sizeof a.sun_path - 1);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
      char m[600]; const char *b = strrchr(p, '/');
      snprintf(m, sizeof m, "%s/connected-%s", marks, b ? b + 1 : p);
      close(open(m, O_CREAT | O_WRONLY, 0644));
      if (write(s, cmd, strlen(cmd)) < 0) {}
      shutdown(s, SHUT_WR);
      char buf[256]; while (read(s, buf, sizeof buf) > 0) {}
      close(s);
      return;
    }
    int e = errno; close(s);
    if (e != ECONNREFUSED || now() > until) return;
  }
}
int main(int argc, char **argv) {
  if (argc != 5) return 2;
  marks = argv[2]; cmd = argv[3];
  double end = now() + atoi(argv[4]);
  int fd = inotify_init1(IN_NONBLOCK);
  if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CREATE | IN_MOVED_TO) < 0) return 3;
  char stop[600]; snprintf(stop, sizeof stop, "%s/STOP", argv[1]);
  while (now() < end && access(stop, F_OK) != 0) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[8192] __attribute__((aligned(8)));
    ssize_t n = read(fd, buf, sizeof buf);
    for (char *q = buf; n > 0 && q < buf + n;) {
      struct inotify_event *ev = (struct inotify_event *)q;
      if (ev->len > 0) {
        char p[600]; snprintf(p, sizeof p, "%s/%s", argv[1], ev->name);
        attempt(p);
        DIR *d = opendir(p);
        for (struct dirent *de; d && (de = readdir(d));) {
          if (de->d_name[0] == '.') continue;
          char c[900]; snprintf(c, sizeof c, "%s/%s", p, de->d_name);
          attempt(c);
        }
        if (d) closedir(d);
      }
      q += sizeof *ev + ev->len;
    }
  }
  return 0;
}
`;

it('a custom --socket in a shared directory is never connectable by another user, even with umask 000', async () => {
  const shared = path.join(work, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  const marks = other.dir(path.join(work, 'marks'), 0o777);
  const watcher = other.compile(WATCHER, path.join(work, 'watcher'));
  const watching = spawn('runuser', ['-u', other.name, '--', watcher, shared, marks, `touch ${marks}/ran-as-$(id -u)\n`, '120'], { stdio: 'ignore' });
  const watcherDone = new Promise((r) => watching.once('exit', r));
  const sock = path.join(shared, 'relay.sock');
  const home = makeHome();
  const old = process.umask(0); // inherited by the daemon
  const daemon = spawn('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=/^f?chmod(at)?$', '-e', 'inject=/^f?chmod(at)?$:delay_enter=1500000',
    process.execPath, RELAY_BIN, 'serve', '--port', '0', '--runtime-dir', path.join(work, 'rt'), '--socket', sock], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: home }, cwd: home });
  process.umask(old);
  const { logs, stderr } = collectLogs(daemon);
  const exited = new Promise((r) => daemon.once('exit', r));
  try {
    const ready = await waitFor('the daemon to listen', () => {
      if (daemon.exitCode !== null) throw new Error(`the daemon exited: ${stderr()}`);
      return logs.find((l) => l.evt === 'server.listening');
    }, 30_000);
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect((await run(['nc.openbsd', '-N', '-U', sock], 'echo owner-$((40+2))\n')).stdout).toBe('owner-42\n');
    process.kill(Number(ready.pid), 'SIGTERM'); // the daemon, not strace
    await within('the daemon to exit', exited, 20_000);
  } finally {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    fs.writeFileSync(path.join(shared, 'STOP'), '');
    await within('the watcher to stop', watcherDone, 10_000);
    fs.rmSync(home, { recursive: true, force: true });
  }
  expect(watching.exitCode).toBe(0); // it watched (3: inotify failed)
  expect(fs.readdirSync(marks)).toEqual([]);
  // Nothing of the binding is left behind either.
  expect(fs.readdirSync(shared)).toEqual(['STOP']);
});
