// What a sandboxed session must not reach, checked from inside it; shared by the root and the
// ordinary-user sandbox tests. Each check is shell text run in the session, and its expected output.

// A Python client for the daemon's own port and for an address outside loopback (192.0.2.1, a
// documentation network: inside a network namespace of its own nothing is routed anywhere).
export function reachScript(port: number): string {
  return [
    `curl -sS -m 5 -o /dev/null http://127.0.0.1:${port}/ 2>/dev/null; echo "curl-exit=$?"`,
    'python3 - <<\'PY\'',
    'import socket',
    `for addr in (("127.0.0.1", ${port}), ("192.0.2.1", 80)):`,
    '    try:',
    '        socket.create_connection(addr, 3).close()',
    '        print("reached", addr[0])',
    '    except OSError as e:',
    '        print("refused", addr[0], e.errno)',
    'PY',
  ].join('\n');
}

// Writes inside the project directory (the cwd) and outside it; lists the processes it sees.
export function filesScript(outside: string): string {
  return [
    'echo inside > inside.txt && echo "inside-ok $(cat inside.txt)"',
    `echo x > ${outside} 2>/dev/null && echo outside-written || echo outside-refused`,
    'touch /etc/pty-relay-sandbox-probe 2>/dev/null && echo etc-written || echo etc-refused',
    'echo "tmp-$(touch /tmp/t && echo ok)"',
    'ps -e -o comm= > /tmp/ps.txt; echo "procs: $(sort -u /tmp/ps.txt | tr "\\n" " ")"',
  ].join('\n');
}

// Forks children that wait on a pipe until the parent is refused a fork (or made 300): bounded in
// count and time, and every child is reaped.
export const FORK_PROBE = [
  'python3 - <<\'PY\'',
  'import os',
  'r, w = os.pipe(); n = 0',
  'try:',
  '    for i in range(300):',
  '        pid = os.fork()',
  '        if pid == 0:',
  '            os.close(w); os.read(r, 1); os._exit(0)',
  '        n += 1',
  '    print("forked all", n)',
  'except OSError as e:',
  '    print("fork refused after", n, e.strerror)',
  'os.close(w)',
  'for i in range(n): os.wait()',
  'PY',
].join('\n');
