// The rc and the request line: valid bash, and the environment tables as the README states them.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NO_EDITOR_MESSAGE, requestAssignments } from '../../../../src/daemon/shell/request-env';
import { renderRc, runLine } from '../../../../src/daemon/shell/shell-integration';

describe('runLine', () => {
  it('types one short word, an alias of the guard around the script file, with stdin /dev/null by default', () => {
    expect(runLine()).toBe('\x05\x15 __pr_rn\n');
    expect(runLine({ stdin: 'tty' })).toBe('\x05\x15 __pr_rt\n');
    expect(runLine({ raw: true })).toBe('\x05\x15 stty -opost; __pr_rn; stty opost\n');
  });

  it('types the quoted path for a shell adopted from a release whose rc had no such alias', () => {
    expect(runLine({}, "/run/x/it's.sh")).toBe("\x05\x15 __pr_go_null '/run/x/it'\\''s.sh'; __pr_done\n");
    expect(runLine({ stdin: 'tty' }, '/f.sh')).toBe("\x05\x15 __pr_go_tty '/f.sh'; __pr_done\n");
  });
});

describe('renderRc', () => {
  it('is valid bash', () => {
    const r = spawnSync('bash', ['-n'], { input: renderRc('0123456789abcdef0123456789abcdef', "/run/x/it's/job.sh"), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('defines the request aliases with the environment of each mode', () => {
    const rc = renderRc('0123456789abcdef0123456789abcdef', "/run/x/it's/job.sh");
    const file = `'\\''/run/x/it'\\''\\'\\'''\\''s/job.sh'\\''`;
    expect(rc).toContain(`alias __pr_rn='{ __pr_begin null; } 2>/dev/null; __pr_env_null </dev/null source ${file}; __pr_done'`);
    expect(rc).toContain(`alias __pr_rt='{ __pr_begin tty; } 2>/dev/null; __pr_env_tty source ${file}; __pr_done'`);
    expect(rc).toContain(`echo '${NO_EDITOR_MESSAGE}' >&2`);
  });
});

describe('requestAssignments', () => {
  it('keeps editors and installers from waiting only when stdin is not the terminal', () => {
    const machine = requestAssignments('null');
    const tty = requestAssignments('tty');
    for (const v of ['NO_COLOR=1', 'PIP_PROGRESS_BAR=off', 'BUILDKIT_PROGRESS=plain', "'color.ui=never'"]) {
      expect(machine).toContain(v);
      expect(tty).toContain(v);
    }
    for (const v of ['GIT_EDITOR="$__pr_noeditor"', 'EDITOR="$__pr_noeditor"', 'DEBIAN_FRONTEND=noninteractive', 'PIP_NO_INPUT=1']) {
      expect(machine).toContain(v);
      expect(tty).not.toContain(v);
    }
  });

  it('is a list of plain assignments bash takes as such', () => {
    const r = spawnSync('bash', ['-c', `__pr_noeditor=/x/no-editor; ${requestAssignments('null')} env`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^NO_COLOR=1$/m);
    expect(r.stdout).toMatch(/^GIT_EDITOR=\/x\/no-editor$/m);
    expect(r.stdout).toMatch(/^GIT_CONFIG_PARAMETERS='color.ui=never'$/m);
  });
});
