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
//     memfd(name, bytes) -> fd | string   an anonymous in-memory file holding bytes, sealed
//       against writes, close-on-exec: the single binary runs the holder from it
//       (/proc/self/fd/N), so no executable is ever written where another user could swap it.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char* what, int err) {
  char msg[256];
  napi_value out;
  snprintf(msg, sizeof msg, "%s%s%s", what, err ? ": " : "", err ? strerror(err) : "");
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &out);
  return out;
}

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

static napi_value link_connect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[4096];
  size_t plen = 0;
  int32_t timeout_ms = 2000;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &plen) != napi_ok) return fail(env, "connect(path, timeoutMs)", 0);
  if (argc > 1) napi_get_value_int32(env, argv[1], &timeout_ms);
  int fd = -1;
  for (int waited = 0;; waited++) {
    fd = connect_path(path);
    if (fd >= 0 || (errno != ENOENT && errno != ECONNREFUSED) || waited >= timeout_ms) break;
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  if (fd < 0) return fail(env, "cannot connect", errno);
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != getuid()) {
    close(fd);
    return fail(env, "the holder runs as another user", 0);
  }
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) {
    close(fd);
    return fail(env, "the holder did not answer", 0);
  }
  char data[256];
  struct iovec iov = {data, sizeof data};
  char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  int master = -1;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) memcpy(&master, CMSG_DATA(c), sizeof(int));
  }
  char* nl = n > 0 ? memchr(data, '\n', (size_t)n) : NULL;
  if (master < 0 || nl == NULL) {
    if (master >= 0) close(master);
    close(fd);
    return fail(env, n < 0 ? "cannot read the holder's hello" : "the holder's hello is malformed", n < 0 ? errno : 0);
  }
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, out, "control", v);
  napi_create_int32(env, master, &v);
  napi_set_named_property(env, out, "master", v);
  napi_create_string_latin1(env, data, (size_t)(nl - data), &v);
  napi_set_named_property(env, out, "hello", v);
  void* copy;
  size_t rest = (size_t)(data + n - (nl + 1));
  napi_create_buffer_copy(env, rest, nl + 1, &copy, &v);
  napi_set_named_property(env, out, "extra", v);
  return out;
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
  napi_create_function(env, "memfd", NAPI_AUTO_LENGTH, link_memfd, NULL, &fn);
  napi_set_named_property(env, exports, "memfd", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
