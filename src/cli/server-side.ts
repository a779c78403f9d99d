// Whether this installation can run the daemon, asked before anything of it is loaded. The npm
// package (README "On the laptop") installs node-pty as an optional dependency: npm leaves it out
// where it cannot be built (no compiler or python3) or when told to (`--omit=optional`); npm 11
// also warns that it runs node-pty's build script only when allowed (`--allow-scripts`). Every
// client command works without it. `pty-relay serve` then fails here, at once, saying where the
// server side comes from. The single binary has node-pty built in and always passes.
import { RelayError } from '../errors';

// Where to get a working server side, for the messages below.
const HOW = 'run the server from the single binary (`make install` in a clone of the repository, README "Install"), ' +
  'or reinstall the package on a Linux machine that can build node-pty (python3, make and a C++ compiler): `npm install -g pty-relay --include=optional --allow-scripts=node-pty`';

// Throws PR_ERR_PLATFORM off Linux, PR_ERR_NO_PTY when node-pty cannot be loaded; else resolves.
export async function requireServerSide(platform: NodeJS.Platform = process.platform): Promise<void> {
  // Linux only: the daemon tells which user a TCP peer is through netlink or /proc/net/tcp, and
  // whether a job waits for input through /proc (README "Security model"); bash 4.4+ is needed too.
  if (platform !== 'linux') {
    throw new RelayError('PR_ERR_PLATFORM', `pty-relay serve runs on Linux only (this is ${platform}): the daemon needs /proc and netlink to tell which user each connection is. This machine can run every client command (pty-client, exec, mcp, tunnel, doctor) against a daemon on a Linux server`);
  }
  try {
    // The one module that imports node-pty; loading it loads node-pty and its native pty.node.
    await import('../daemon/pty/pty');
  } catch (err) {
    const why = ((err as Error).message ?? String(err)).split('\n')[0] ?? '';
    throw new RelayError('PR_ERR_NO_PTY', `pty-relay serve needs node-pty, which this installation cannot load: ${HOW}`, { cause: new Error(why, { cause: err }) });
  }
}
