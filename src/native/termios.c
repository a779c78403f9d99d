// termios.node: a PTY's output processing (OPOST), switched from the master side.
//
// The kernel's output processing turns every "\n" a program writes into "\r\n" (ONLCR), at
// ~20-25 MB/s on this machine; without it a PTY carries ~100 MB/s (make bench). An exec job runs
// with it off and the daemon adds the "\r" back for terminals itself (shell/newlines.ts).
// Node has no tcgetattr/tcsetattr; on Linux both work on a PTY's master fd and act on the
// terminal's one set of settings, which the program on the slave side sees.
//
// JS: flags(fd) -> number    c_lflag * 65536 + (c_oflag & 0xffff): a stamp that changes when a
//                            program changes the terminal's modes; -1 when fd is no terminal.
//     setOutputProcessing(fd, on) -> boolean   OPOST on or off (TCSANOW); false on failure.
//     addCr(buf, end, lastCr) -> Buffer | null  what ONLCR would have made of buf[0, end): "\r"
//                            before each "\n" without one (lastCr: buf follows a "\r"), then
//                            buf[end, ...) as it is; null when nothing changes. In C it runs at
//                            GB/s where a JS byte loop ran at ~150 MB/s here (make bench).
//     setCloexec(fd) -> boolean   FD_CLOEXEC on (fcntl F_SETFD), so no program the daemon starts
//                            later inherits fd (a PTY master typed into another session); false
//                            on failure. node-pty opens masters without it; Node has no fcntl.
#define NAPI_VERSION 8
#include <node_api.h>

#include <fcntl.h>
#include <string.h>
#include <termios.h>

static int get_fd(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  int fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return -1;
  return fd;
}

static napi_value flags(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  napi_value out;
  struct termios t;
  int fd = get_fd(env, info, 1, argv);
  double stamp = -1;
  if (fd >= 0 && tcgetattr(fd, &t) == 0) stamp = (double)(t.c_lflag & 0xffff) * 65536 + (double)(t.c_oflag & 0xffff);
  napi_create_double(env, stamp, &out);
  return out;
}

static napi_value set_output_processing(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_value out;
  struct termios t;
  bool on = false;
  int fd = get_fd(env, info, 2, argv);
  int ok = fd >= 0 && napi_get_value_bool(env, argv[1], &on) == napi_ok && tcgetattr(fd, &t) == 0;
  if (ok) {
    if (on) t.c_oflag |= OPOST;
    else t.c_oflag &= ~OPOST;
    ok = tcsetattr(fd, TCSANOW, &t) == 0;
  }
  napi_get_boolean(env, ok, &out);
  return out;
}

static napi_value set_cloexec(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  napi_value out;
  int fd = get_fd(env, info, 1, argv);
  int flags = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
  int ok = flags >= 0 && ((flags & FD_CLOEXEC) != 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0);
  napi_get_boolean(env, ok, &out);
  return out;
}

static napi_value add_cr(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value out;
  unsigned char* src = NULL;
  unsigned char* dst = NULL;
  size_t len = 0;
  uint32_t end = 0;
  bool last_cr = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_null(env, &out);
  if (argc < 3 || napi_get_buffer_info(env, argv[0], (void**)&src, &len) != napi_ok || napi_get_value_uint32(env, argv[1], &end) != napi_ok ||
      napi_get_value_bool(env, argv[2], &last_cr) != napi_ok || end > len) {
    napi_throw_type_error(env, "PR_ERR_TERMIOS", "termios: addCr(buf: Buffer, end: number, lastCr: boolean)");
    return NULL;
  }
  // Counted without a carried dependency, so the compiler can vectorize it.
  size_t bare = end > 0 && src[0] == '\n' && !last_cr;
  for (size_t i = 1; i < end; i++) bare += (src[i] == '\n') & (src[i - 1] != '\r');
  if (bare == 0) return out;
  if (napi_create_buffer(env, len + bare, (void**)&dst, &out) != napi_ok) return NULL;
  // Copied a line at a time: memchr finds each "\n", memcpy moves the text before it.
  size_t from = 0;
  size_t to = 0;
  for (size_t at = 0; at < end; at++) {
    const unsigned char* p = memchr(src + at, '\n', end - at);
    if (p == NULL) break;
    at = (size_t)(p - src);
    if (at == 0 ? last_cr : src[at - 1] == '\r') continue;
    memcpy(dst + to, src + from, at - from);
    to += at - from;
    dst[to++] = '\r';
    from = at;
  }
  memcpy(dst + to, src + from, len - from);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "flags", NAPI_AUTO_LENGTH, flags, NULL, &fn);
  napi_set_named_property(env, exports, "flags", fn);
  napi_create_function(env, "setOutputProcessing", NAPI_AUTO_LENGTH, set_output_processing, NULL, &fn);
  napi_set_named_property(env, exports, "setOutputProcessing", fn);
  napi_create_function(env, "addCr", NAPI_AUTO_LENGTH, add_cr, NULL, &fn);
  napi_set_named_property(env, exports, "addCr", fn);
  napi_create_function(env, "setCloexec", NAPI_AUTO_LENGTH, set_cloexec, NULL, &fn);
  napi_set_named_property(env, exports, "setCloexec", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
