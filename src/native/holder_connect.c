// holder_connect.c: the daemon's connect to a session holder (holder_link.c exposes it to JS):
// the socket by its path (through /proc/self/fd for a path too long for sockaddr_un), the peer's
// uid and pid checked (SO_PEERCRED), and the hello line with the PTY master it carries (SCM_RIGHTS).
#define _GNU_SOURCE
#include "holder_connect.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_path(const char* path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int dirfd = -1;
  if (strlen(path) < sizeof addr.sun_path) {
    strcpy(addr.sun_path, path);
  } else {
    char dir[4096], name[4096];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(name, sizeof name, "%s", path);
    dirfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return -1;
    if (snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, basename(name)) >= (int)sizeof addr.sun_path) {
      close(dirfd);
      errno = ENAMETOOLONG;
      return -1;
    }
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int ok = fd >= 0 && connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0;
  int err = errno;
  if (dirfd >= 0) close(dirfd);
  if (!ok && fd >= 0) close(fd);
  errno = err;
  return ok ? fd : -1;
}



// True while process `pid` runs (not ended, not a zombie waiting to be reaped).
static int runs(pid_t pid) {
  char file[64], stat[512];
  snprintf(file, sizeof file, "/proc/%d/stat", (int)pid);
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, stat, sizeof stat - 1);
  close(fd);
  if (n <= 0) return 0;
  stat[n] = 0;
  const char* end = strrchr(stat, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

// Connects, checks the peer and takes the hello with the master: blocking, and touching no napi
// state, so that it can run on a worker thread (connectAsync).
void do_connect(struct link_result* r) {
  r->fd = r->master = -1;
  r->err = 0;
  r->why = NULL;
  for (int waited = 0;; waited++) {
    if (r->holder_pid > 0 && !runs(r->holder_pid)) {
      r->why = "the holder ended before it listened";
      return;
    }
    r->fd = connect_path(r->path);
    if (r->fd >= 0 || (errno != ENOENT && errno != ECONNREFUSED) || waited >= r->timeout_ms) break;
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  if (r->fd < 0) {
    r->why = "cannot connect";
    r->err = errno;
    return;
  }
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(r->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != getuid()) {
    close(r->fd);
    r->why = "the holder runs as another user";
    return;
  }
  if (r->holder_pid > 0 && cred.pid != r->holder_pid) {
    close(r->fd);  // before it sends its hello: it keeps the daemon it serves
    r->why = "another holder listens at that path";
    return;
  }
  struct pollfd p = {r->fd, POLLIN, 0};
  if (poll(&p, 1, r->timeout_ms) != 1) {
    close(r->fd);
    r->why = "the holder did not answer";
    return;
  }
  struct iovec iov = {r->data, sizeof r->data};
  char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  r->n = recvmsg(r->fd, &msg, MSG_CMSG_CLOEXEC);
  int recv_err = errno;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); r->n > 0 && c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) memcpy(&r->master, CMSG_DATA(c), sizeof(int));
  }
  r->nl = r->n > 0 ? memchr(r->data, '\n', (size_t)r->n) : NULL;
  if (r->master < 0 || r->nl == NULL) {
    if (r->master >= 0) close(r->master);
    close(r->fd);
    r->why = r->n < 0 ? "cannot read the holder's hello" : "the holder's hello is malformed";
    r->err = r->n < 0 ? recv_err : 0;
  }
}
