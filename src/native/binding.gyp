# The daemon's native addons, built by `make build` with node-gyp against this machine's Node
# headers: sock_diag.node (peer uid, native/sock-diag.ts) and termios.node (session/termios.ts).
{
  'targets': [
    {
      'target_name': 'sock_diag',
      'sources': ['sock_diag.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
    {
      'target_name': 'termios',
      'sources': ['termios.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
  ],
}
