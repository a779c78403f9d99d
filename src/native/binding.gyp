# sock_diag.node, built by `make build` with node-gyp against this machine's Node headers.
{
  'targets': [
    {
      'target_name': 'sock_diag',
      'sources': ['sock_diag.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
    },
  ],
}
