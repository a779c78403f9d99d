// termios.node: a PTY's output processing (OPOST), switched from the master side.
//
// The kernel's output processing turns every "\n" a program writes into "\r\n" (ONLCR), at
// ~20-25 MB/s on this machine; without it a PTY carries ~100 MB/s (make bench). An exec job runs
// with it off and the daemon adds the "\r" back for terminals itself (session/newlines.ts).
// Node has no tcgetattr/tcsetattr; on Linux both work on a PTY's master fd and act on the
// terminal's one set of settings, which the program on the slave side sees.
//
// JS: flags(fd) -> number    c_lflag * 65536 + (c_oflag & 0xffff): a stamp that changes when a
//                            program changes the terminal's modes; -1 when fd is no terminal.
//     setOutputProcessing(fd, on) -> boolean   OPOST on or off (TCSANOW); false on failure.
#define NAPI_VERSION 8
#include <node_api.h>

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

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "flags", NAPI_AUTO_LENGTH, flags, NULL, &fn);
  napi_set_named_property(env, exports, "flags", fn);
  napi_create_function(env, "setOutputProcessing", NAPI_AUTO_LENGTH, set_output_processing, NULL, &fn);
  napi_set_named_property(env, exports, "setOutputProcessing", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
