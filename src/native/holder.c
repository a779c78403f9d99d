// pty-relay-holder: one small process per session that owns its terminal, so that the session's
// program outlives the daemon (a crash, kill -9, the OOM killer, `systemctl restart`).
//
//   pty-relay-holder SOCKET BUFFER_BYTES ORPHAN_SECONDS COLS ROWS CWD -- PROGRAM [ARG...]
//
// It starts PROGRAM in a new PTY (forkpty: its own session, the slave as controlling terminal),
// listens on the unix socket SOCKET (created 0600 under umask 077, in the daemon's 0700 session
// directory; PROGRAM gets the umask the holder was started with, the user's), prints "ready PID\n" on stdout and closes it. The daemon is only a client:
//
//   holder -> daemon, on connect: one line, sent with the PTY master attached (SCM_RIGHTS):
//     "PTYH 1 pid=P status=S buffered=N lost=L pts=PATH\n"
//                                                   S: the wait status once PROGRAM ended, else -1;
//                                                   then exactly N bytes: output read while no
//                                                   daemon was connected; L bytes of it were lost
//                                                   (oldest first) past BUFFER_BYTES
//   holder -> daemon, later: "exit S\n"              PROGRAM ended with wait status S
//   daemon -> holder: "hangup\n"                     end the session: SIGHUP to PROGRAM's group,
//                                                   the holder's master closed; it goes once the
//                                                   daemon lets go
//
// Until the first daemon connects, and while a daemon is connected, the holder never touches the terminal: the daemon reads and writes
// the master itself, so no byte takes an extra hop. When the daemon goes (its end of the socket
// closes), the holder reads the master into its buffer, so PROGRAM never blocks on a full terminal.
// Only a peer of our own uid (SO_PEERCRED) is served; a new one replaces the old (an upgrade). With
// no daemon for ORPHAN_SECONDS (0: never) it hangs the session up. It exits once PROGRAM has ended
// and its status was delivered, or after the hangup; it removes SOCKET on the way out, unless the
// path names another holder's socket by then.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char* sock_path;
static int master = -1, listener = -1, client = -1, sigfd = -1;
static pid_t child = -1;
static int status = -1;           // wait status once the child ended
static int status_told = 0;       // a connected daemon heard it
static char* buf;                 // ring of output read while orphaned
static size_t cap, head, len;     // head: index of the oldest byte
static unsigned long long lost;   // bytes dropped from the ring's start
static time_t orphan_since;
static int served;                // a daemon connected once: until then the terminal waits for it
static int hung;                  // told to hang up: the holder lets go of the terminal and goes

static struct stat bound;  // our socket as bound: its path may name a newer holder's by the time we go
static int is_bound;

// Removes our socket, not a newer holder's: a session that started again in the same directory
// while we were ending (its daemon removed our path first) keeps its way in.
static void remove_socket(void) {
  struct stat now_there;
  if (is_bound && lstat(sock_path, &now_there) == 0 && now_there.st_ino == bound.st_ino && now_there.st_dev == bound.st_dev) unlink(sock_path);
}

static void die(const char* what) {
  int err = errno;
  remove_socket();
  fprintf(stderr, "pty-relay-holder: %s: %s\n", what, strerror(err));
  exit(1);
}

static time_t now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

// Appends to the ring, dropping its oldest bytes when full.
static void keep(const char* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (len == cap) {
      head = (head + 1) % cap;
      len--;
      lost++;
    }
    buf[(head + len) % cap] = p[i];
    len++;
  }
}

static int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void drop_client(void) {
  if (client < 0) return;
  close(client);
  client = -1;
  orphan_since = now();
}

// Serves a new peer: our uid only; the hello with the master, then the buffered output.
static void accept_client(void) {
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  if (hung) {  // nothing left to hand over
    close(fd);
    return;
  }
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != getuid()) {
    close(fd);
    return;
  }
  struct timeval tv = {5, 0};  // a daemon that stops reading never wedges the holder
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char hello[192];
  const char* pts = ptsname(master);
  int hn = snprintf(hello, sizeof hello, "PTYH 1 pid=%d status=%d buffered=%zu lost=%llu pts=%s\n", (int)child, status, len, lost, pts != NULL ? pts : "-");
  struct iovec iov = {hello, (size_t)hn};
  char ctl[CMSG_SPACE(sizeof(int))];
  memset(ctl, 0, sizeof ctl);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof(int));
  size_t first = len < cap - head ? len : cap - head;  // the ring in two runs
  if (sendmsg(fd, &msg, MSG_NOSIGNAL) != hn || write_all(fd, buf + head, first) != 0 || write_all(fd, buf, len - first) != 0) {
    close(fd);
    return;
  }
  drop_client();  // an upgrade's new daemon replaces the old one
  client = fd;
  served = 1;
  head = len = 0;
  lost = 0;
  status_told = status != -1;
}

// SIGHUP to the program's process group, and the holder's copy of the master closed: once the
// daemon's copies close too, the kernel hangs the terminal up as it would for any terminal.
static void hang_up(void) {
  hung = 1;
  if (child > 0 && status == -1) kill(-child, SIGHUP);
  if (child > 0 && status == -1) kill(child, SIGHUP);
  if (master >= 0) close(master);
  master = -1;
}

static void reap(void) {
  struct signalfd_siginfo si;
  while (read(sigfd, &si, sizeof si) > 0) {
  }
  int ws;
  if (status != -1 || waitpid(child, &ws, WNOHANG) != child) return;
  status = ws;
  if (client >= 0) {
    char line[32];
    int n = snprintf(line, sizeof line, "exit %d\n", status);
    if (write_all(client, line, (size_t)n) == 0) status_told = 1;
    else drop_client();
  }
}

// A message from the daemon; 0 when it went away.
static int from_client(void) {
  char in[64];
  ssize_t n = read(client, in, sizeof in);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) return 0;
  if (memmem(in, (size_t)n, "hangup\n", 7) != NULL) hang_up();
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 9 || strcmp(argv[7], "--") != 0) {
    fprintf(stderr, "usage: pty-relay-holder SOCKET BUFFER_BYTES ORPHAN_SECONDS COLS ROWS CWD -- PROGRAM [ARG...]\n");
    return 2;
  }
  sock_path = argv[1];
  cap = strtoul(argv[2], NULL, 10);
  long orphan_s = strtol(argv[3], NULL, 10);
  struct winsize ws = {.ws_col = (unsigned short)atoi(argv[4]), .ws_row = (unsigned short)atoi(argv[5])};
  const char* cwd = argv[6];
  if (cap == 0 || (buf = malloc(cap)) == NULL) die("buffer");
  mode_t user_umask = umask(077);  // ours: the socket is private; PROGRAM gets the one we were given
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(sock_path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    die(sock_path);
  }
  strcpy(addr.sun_path, sock_path);
  listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) die("listening");
  is_bound = lstat(sock_path, &bound) == 0;
  if (listen(listener, 4) != 0) die("listening");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) die("signalfd");
  child = forkpty(&master, NULL, NULL, &ws);
  if (child < 0) die("forkpty");
  if (child == 0) {
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    umask(user_umask);
    if (chdir(cwd) != 0) fprintf(stderr, "pty-relay-holder: cannot enter %s: %s\n", cwd, strerror(errno));
    execvp(argv[8], argv + 8);
    fprintf(stderr, "pty-relay-holder: cannot run %s: %s\n", argv[8], strerror(errno));
    _exit(127);
  }
  fcntl(master, F_SETFD, FD_CLOEXEC);
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  printf("ready %d\n", (int)child);
  fflush(stdout);
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(null, 1);
  if (null > 2) close(null);
  orphan_since = now();
  int master_open = 1;  // 0 once every slave closed (EIO): nothing more will come
  for (;;) {
    if (status != -1 && status_told && client < 0) break;  // delivered; the daemon let go
    if (hung && client < 0) break;                          // the session is over
    struct pollfd p[4] = {{listener, POLLIN, 0}, {sigfd, POLLIN, 0}, {client, POLLIN, 0}, {-1, POLLIN, 0}};
    if (client < 0 && master_open && served && master >= 0) p[3].fd = master;  // only an orphan reads the terminal
    int timeout = -1;
    if (client < 0 && orphan_s > 0) {
      long left = orphan_s - (long)(now() - orphan_since);
      if (left <= 0) {
        hang_up();
        break;
      }
      timeout = (int)(left * 1000);
    }
    if (poll(p, 4, timeout) < 0 && errno != EINTR) die("poll");
    if (p[1].revents) reap();
    // The terminal before a new daemon: output that was there as it came is part of what it is
    // given; read after the hello, it would stay here, lost to that daemon (a rolled-back upgrade
    // or a crash recovery skipped a line so). What is left in the terminal the daemon reads itself.
    if (p[3].revents) {
      char chunk[16384];
      ssize_t n = read(master, chunk, sizeof chunk);
      if (n > 0) keep(chunk, (size_t)n);
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) master_open = 0;
    }
    if (p[0].revents & POLLIN) accept_client();
    if (client >= 0 && p[2].fd == client && (p[2].revents & (POLLIN | POLLHUP | POLLERR)) && !from_client()) drop_client();
  }
  remove_socket();
  return 0;
}
