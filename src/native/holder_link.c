// holder_link.node: the daemon's end of a session holder's socket (holder.c has the protocol).
// Node can neither check a unix peer's credentials nor receive a file descriptor, so this connects,
// checks that the holder runs as our own uid (SO_PEERCRED), and takes its hello line with the PTY
// master that travels with it (SCM_RIGHTS). Both fds come back close-on-exec.
//
// JS: connect(path, timeoutMs) -> { control, master, hello, extra } | string
//       control: the connected socket's fd (for net.Socket({fd})); master: the PTY master's fd;
//       hello: the first line without its "\n"; extra: bytes received after it (Buffer);
//       a string says why not (no holder there, another uid, no answer in time, …). A socket
//       that is not there yet (a holder just started) is tried again until timeoutMs.
//       A path too long for sockaddr_un is reached through /proc/self/fd/DIR/NAME.
//     connectAsync(path, timeoutMs, holderPid) -> Promise of the same, from the holder process
//       `holderPid` only: the waiting stops once that process ended (it was killed: the session
//       went while it started), and a socket that another process listens on at that path (a
//       newer holder of a session started again in the same directory) is let go at once, never
//       taken for this one. The waiting (for a holder that is
//       still starting, then for its hello) happens on a thread of its own, so the daemon's event
//       loop serves its other clients meanwhile. The fds are made close-on-exec as they are
//       created (SOCK_CLOEXEC, MSG_CMSG_CLOEXEC), so a program spawned meanwhile inherits neither.
//     memfd(name, bytes) -> fd | string   an anonymous in-memory file holding bytes, sealed
//       against writes, close-on-exec: the single binary runs the holder from it
//       (/proc/self/fd/N), so no executable is ever written where another user could swap it.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "holder_connect.h"

static napi_value fail(napi_env env, const char* what, int err) {
  char msg[256];
  napi_value out;
  snprintf(msg, sizeof msg, "%s%s%s", what, err ? ": " : "", err ? strerror(err) : "");
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &out);
  return out;
}

// The JS value of a result: { control, master, hello, extra } or the reason in words.
static napi_value result_value(napi_env env, struct link_result* r) {
  if (r->why != NULL) return fail(env, r->why, r->err);
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_int32(env, r->fd, &v);
  napi_set_named_property(env, out, "control", v);
  napi_create_int32(env, r->master, &v);
  napi_set_named_property(env, out, "master", v);
  napi_create_string_latin1(env, r->data, (size_t)(r->nl - r->data), &v);
  napi_set_named_property(env, out, "hello", v);
  void* copy;
  size_t rest = (size_t)(r->data + r->n - (r->nl + 1));
  napi_create_buffer_copy(env, rest, r->nl + 1, &copy, &v);
  napi_set_named_property(env, out, "extra", v);
  return out;
}

// Reads (path, timeoutMs) into a fresh result; NULL (and *usage set) when they are not that.
static struct link_result* read_args(napi_env env, napi_callback_info info, napi_value* usage) {
  size_t argc = 3;
  napi_value argv[3];
  size_t plen = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct link_result* r = calloc(1, sizeof *r);
  if (r == NULL || argc < 1 || napi_get_value_string_utf8(env, argv[0], r->path, sizeof r->path, &plen) != napi_ok) {
    free(r);
    *usage = fail(env, "connect(path, timeoutMs)", 0);
    return NULL;
  }
  r->timeout_ms = 2000;
  if (argc > 1) napi_get_value_int32(env, argv[1], &r->timeout_ms);
  if (argc > 2) napi_get_value_int32(env, argv[2], &r->holder_pid);
  return r;
}

static napi_value link_connect(napi_env env, napi_callback_info info) {
  napi_value out;
  struct link_result* r = read_args(env, info, &out);
  if (r == NULL) return out;
  do_connect(r);
  out = result_value(env, r);
  free(r);
  return out;
}

// connectAsync: the same on a thread of its own (not libuv's pool, which the daemon's file I/O
// shares: twenty sessions starting at once on a loaded machine would stall it); the promise
// resolves on the event loop through a thread-safe function.
struct link_job {
  struct link_result* r;
  napi_deferred deferred;
  napi_threadsafe_function done;
};

static void job_resolve(napi_env env, napi_value js_cb, void* context, void* data) {
  (void)js_cb;
  (void)context;
  struct link_job* j = data;
  if (env != NULL) napi_resolve_deferred(env, j->deferred, result_value(env, j->r));
  else if (j->r->why == NULL) {  // the environment is going away: nobody takes these
    close(j->r->fd);
    close(j->r->master);
  }
  free(j->r);
  free(j);
}

static void* job_thread(void* data) {
  struct link_job* j = data;
  do_connect(j->r);
  napi_threadsafe_function done = j->done;
  napi_call_threadsafe_function(done, j, napi_tsfn_blocking);
  napi_release_threadsafe_function(done, napi_tsfn_release);
  return NULL;
}

static napi_value link_connect_async(napi_env env, napi_callback_info info) {
  napi_value usage, promise, name;
  struct link_result* r = read_args(env, info, &usage);
  struct link_job* j = r == NULL ? NULL : calloc(1, sizeof *j);
  if (j == NULL) {
    free(r);
    return r == NULL ? usage : fail(env, "out of memory", 0);
  }
  j->r = r;
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "holder_link.connect", NAPI_AUTO_LENGTH, &name);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, job_resolve, &j->done) != napi_ok) {
    napi_resolve_deferred(env, j->deferred, fail(env, "cannot make a thread-safe function", 0));
    free(r);
    free(j);
  } else if ((errno = pthread_create(&t, &attr, job_thread, j)) != 0) {
    napi_resolve_deferred(env, j->deferred, fail(env, "cannot start a thread", errno));
    napi_release_threadsafe_function(j->done, napi_tsfn_abort);
    free(r);
    free(j);
  }
  pthread_attr_destroy(&attr);
  return promise;
}

static napi_value link_memfd(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char name[64];
  size_t nlen = 0;
  void* data = NULL;
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &nlen) != napi_ok || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) return fail(env, "memfd(name, bytes)", 0);
  int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fail(env, "memfd_create", errno);
  const char* p = data;
  for (size_t left = len; left > 0;) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int err = errno;
      close(fd);
      return fail(env, "writing the memfd", err);
    }
    p += w;
    left -= (size_t)w;
  }
  fchmod(fd, 0500);
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "connect", NAPI_AUTO_LENGTH, link_connect, NULL, &fn);
  napi_set_named_property(env, exports, "connect", fn);
  napi_create_function(env, "connectAsync", NAPI_AUTO_LENGTH, link_connect_async, NULL, &fn);
  napi_set_named_property(env, exports, "connectAsync", fn);
  napi_create_function(env, "memfd", NAPI_AUTO_LENGTH, link_memfd, NULL, &fn);
  napi_set_named_property(env, exports, "memfd", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
