// Mounts from /proc/self/mountinfo, and which one holds a path.
import * as fs from 'node:fs';
import { expect, it } from 'vitest';
import { mountOf, parseMountinfo } from '../../../../src/client/doctor/addon-cache';
import { softNofile } from '../../../../src/client/doctor/fds';

const MOUNTINFO = [
  '27 1 0:25 / / rw,relatime - ext4 /dev/sda1 rw',
  '30 27 0:30 / /home rw,nosuid,nodev,noexec,relatime shared:5 - ext4 /dev/sda2 rw',
  '31 27 0:31 / /mnt/with\\040space ro,relatime - tmpfs tmpfs ro,size=1024k',
  '32 30 0:32 / /home/me/.cache rw,relatime - tmpfs tmpfs rw',
].join('\n');

it('parses options, optional fields and escaped names', () => {
  const m = parseMountinfo(MOUNTINFO);
  expect(m.map((x) => x.point)).toEqual(['/', '/home', '/mnt/with space', '/home/me/.cache']);
  expect(m[1]!.options).toContain('noexec');
  expect(m[1]!.fstype).toBe('ext4');
  expect(m[2]!.options).toContain('ro');
});

it('finds the innermost mount, never a sibling that shares a prefix', () => {
  const m = parseMountinfo(MOUNTINFO);
  expect(mountOf(m, '/home/me/.cache/pty-relay')!.point).toBe('/home/me/.cache');
  expect(mountOf(m, '/home/me/src')!.point).toBe('/home');
  expect(mountOf(m, '/homework')!.point).toBe('/');
});

it('reads the real mountinfo and descriptor limit of this process', () => {
  const m = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  expect(mountOf(m, '/proc/self')!.fstype).toBe('proc');
  expect(softNofile(fs.readFileSync('/proc/self/limits', 'utf8'))).toBeGreaterThan(0);
  expect(softNofile('Max open files            unlimited            unlimited            files\n')).toBe(Infinity);
});
