// A sandbox's files with the daemon as root (issue 24): the private /tmp holds no more than the
// profile's tmpSize (a write past it fails with ENOSPC, the reply says so in words, and the shell
// lives on), and $HOME is read-only or hidden as the profile says. The daemon's HOME is outside
// /tmp here (the private /tmp would cover one inside it) and readable by the sandbox's uid.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

const root = process.getuid?.() === 0;
const MIB = 1024 * 1024;
let d: TestDaemon;
let home = '';
const ex = (text: string): Promise<string> => nc(d.port, text, 60_000).then((r) => r.stdout);

// Fills the sandbox's /tmp past its bound; says how the write ended and how much it kept.
const FILL = 'head -c 100M /dev/zero > /tmp/fill; echo "head-exit=$?"; echo "kept $(stat -c %s /tmp/fill)"';
const TMP_FULL = /pty-relay: the private \/tmp \(64 MiB, the profile's tmpSize\) is full: writing there fails with "No space left on device"; remove what is not needed\n/;

beforeAll(async () => {
  if (!root) return;
  home = fs.mkdtempSync('/var/tmp/pty-relay-sbx-home-');
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(path.join(home, '.bashrc'), '');
  fs.writeFileSync(path.join(home, 'note.txt'), 'a note\n', { mode: 0o644 });
  fs.writeFileSync(path.join(home, 'secret.txt'), 'root only\n', { mode: 0o600 });
  // Writable by anyone on the host: inside, only the read-only mount refuses writes.
  fs.writeFileSync(path.join(home, 'open.txt'), 'open\n');
  fs.chmodSync(path.join(home, 'open.txt'), 0o666);
  fs.mkdirSync(path.join(home, 'open-dir'));
  fs.chmodSync(path.join(home, 'open-dir'), 0o777);
  const config = path.join(home, 'sandbox.json');
  // A `write` directory inside the read-only home, the sandbox's user's (a root daemon's: uid 65534).
  const shared = path.join(home, 'shared');
  fs.mkdirSync(shared, { mode: 0o700 });
  fs.chownSync(shared, 65534, 65534);
  fs.writeFileSync(config, JSON.stringify({ profiles: { rohome: { home: 'read-only', write: [shared] } } }));
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rt-'));
  d = await startDaemon({ reuse: { home, runtime }, args: ['--sandbox-config', config] });
});

afterAll(async () => {
  if (root) expect(await d?.stop()).toBe(0); // removes HOME and the runtime directory
});

describe.skipIf(!root)("a sandbox's files (daemon as root)", () => {
  it('bounds the private /tmp: a write past it fails with ENOSPC, the reply says so once, the shell lives on', async () => {
    const full = await ex(`#!session tmpfill\n#!sandbox\n${FILL}\n`);
    expect(full).toContain('No space left on device');
    expect(full).toContain('head-exit=1');
    const kept = Number(/kept (\d+)/.exec(full)?.[1]);
    expect(kept).toBeLessThanOrEqual(64 * MIB);
    expect(kept).toBeGreaterThan(60 * MIB);
    expect(full).toMatch(TMP_FULL);
    // The same shell; said once: the next reply, with /tmp still full, does not repeat it.
    const next = await ex('#!session tmpfill\necho "same shell $$"\n');
    expect(next).toBe('same shell 2\n');
    // Freed, it takes writes again; filled again, it is said again.
    expect(await ex('#!session tmpfill\nrm /tmp/fill; echo x > /tmp/small && echo tmp-writable\n')).toBe('tmp-writable\n');
    expect(await ex(`#!session tmpfill\n${FILL}\n`)).toMatch(TMP_FULL);
    // Another sandbox has a /tmp of its own, of the same bound, holding only the way to its shell's
    // files (bound from the daemon's runtime directory, which this test keeps under /tmp).
    const other = await ex('#!session tmpother\n#!sandbox\necho "other: $(ls -A /tmp) $(df -k --output=size /tmp | tail -1 | tr -d " ")"\n');
    expect(other).toBe(`other: ${path.basename(d.runtime)} 65536\n`);
  });

  it('home "read-only": its files are readable as far as the sandbox\'s uid may read them, none writable but a `write` directory in it', async () => {
    const out = await ex(
      [
        '#!session ro',
        '#!sandbox rohome',
        'echo "home=$HOME"; echo "id=$(id -u)"',
        'cat ~/note.txt',
        'cat ~/secret.txt 2>&1 | sed "s/^cat: //"',
        'echo more >> ~/open.txt',
        'touch ~/new.txt ~/open-dir/new.txt 2>&1 | sed "s/^touch: //"',
        'echo x > in-project.txt && echo project-writable',
        'echo y > ~/shared/w.txt && echo write-dir-writable',
        '',
      ].join('\n'),
    );
    expect(out).toContain(`home=${home}\n`);
    expect(out).toContain('id=65534\n');
    expect(out).toContain('a note\n');
    expect(out).toContain(`${home}/secret.txt: Permission denied\n`); // 0600 root: uid 65534 may not read it
    expect(out).toContain(`${home}/open.txt: Read-only file system\n`);
    expect(out).toContain(`cannot touch '${home}/new.txt': Read-only file system\n`);
    expect(out).toContain(`cannot touch '${home}/open-dir/new.txt': Read-only file system\n`);
    expect(out).toContain('project-writable\n');
    expect(out).toContain('write-dir-writable\n');
    expect(fs.readFileSync(path.join(home, 'shared/w.txt'), 'utf8')).toBe('y\n');
    expect(fs.readFileSync(path.join(home, 'open.txt'), 'utf8')).toBe('open\n');
    expect(fs.existsSync(path.join(home, 'new.txt'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'pty-relay-sandbox/ro/in-project.txt'))).toBe(true);
  });

  it('home "hidden" (the default): an empty tmpfs uid 65534 may write, bounded like /tmp; nothing of the real HOME shows or changes', async () => {
    const out = await ex('#!session hid\n#!sandbox\necho "home: $(ls -A ~)"; cat ~/note.txt 2>&1 | sed "s/^cat: //"; echo x > ~/open.txt && cat ~/open.txt; df -B1 --output=size ~ | tail -1\n');
    expect(out).toContain('home: pty-relay-sandbox\n'); // only the project's mount point
    expect(out).toContain(`${home}/note.txt: No such file or directory\n`);
    expect(out).toMatch(/^x\n\s*67108864\n/m); // written in the tmpfs, of the profile's tmpSize (64 MiB)
    expect(fs.readFileSync(path.join(home, 'open.txt'), 'utf8')).toBe('open\n');
    const full = await ex('#!session hid\nhead -c 70M /dev/zero > ~/big\n');
    expect(full).toContain('No space left on device');
    expect(full).toContain('pty-relay: the hidden $HOME (64 MiB, the profile\'s tmpSize) is full');
    expect(await ex('#!session hid\nrm ~/big && echo freed\n')).toBe('freed\n');
  });
});
