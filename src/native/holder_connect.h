// holder_connect.h: connecting to a session holder's socket (holder_connect.c), blocking and
// touching no napi state, so that holder_link.c can run it on a thread of its own.
#ifndef HOLDER_CONNECT_H
#define HOLDER_CONNECT_H
#include <stdint.h>
#include <sys/types.h>

// What one connect found: the fds and the hello, or why not (err: an errno, or 0).
struct link_result {
  char path[4096];
  int32_t timeout_ms;
  int32_t holder_pid;  // 0: any holder (one found after a crash)
  int fd, master, err;
  const char* why;  // NULL: connected
  char data[256];
  ssize_t n;
  char* nl;
};

// Connects to r->path (trying again until r->timeout_ms while nothing listens there, and only
// while r->holder_pid runs, when set), checks the peer and takes its hello with the PTY master.
void do_connect(struct link_result* r);

#endif
