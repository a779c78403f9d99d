# The daemon's native addons, built by `make build` with node-gyp against this machine's Node
# headers: sock_diag.node (peer uid, native/sock-diag.ts), termios.node (pty/termios.ts) and
# holder_link.node (the daemon's end of a session holder, holder/). The holder itself is a plain
# executable (holder.c), built by the Makefile.
{
  'targets': [
    {
      'target_name': 'sock_diag',
      'sources': ['sock_diag.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
    {
      'target_name': 'holder_link',
      'sources': ['holder_link.c', 'holder_connect.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
    {
      'target_name': 'termios',
      'sources': ['termios.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
  ],
}
