// The audience with a real journal on disk: what a client is sent is on disk first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SessionJournal } from '../../../../src/daemon/journal/session-journal';
import { Audience } from '../../../../src/daemon/session/audience';
import { emptyJournalState } from '../../../helpers/daemon-parts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const state = emptyJournalState;

it('writes the output to disk before a client reads it from the ring, within the same turn', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audience-'));
  dirs.push(dir);
  const journal = new SessionJournal(dir, 4096, 0, state);
  const audience = new Audience(4096, 80, 24, { write: () => undefined, resize: () => undefined });
  audience.onOutput = (data) => journal.terminal(data);
  audience.output(Buffer.from('tick-34\r\n'));
  // A reader (an attached client's pump) takes it in the same turn.
  const r = audience.read(0, 1024);
  expect(r.kind).toBe('data');
  // Synchronously, in the same turn: a kill -9 from here on cannot take it from the disk.
  expect(fs.readFileSync(path.join(dir, 'output.log')).subarray(8).toString()).toBe('tick-34\r\n');
  journal.close(false);
});
