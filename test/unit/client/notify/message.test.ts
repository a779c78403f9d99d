import { describe, expect, it } from 'vitest';
import { nativeCommand } from '../../../../src/client/notify/notifier';
import { noteFor, oscNotification, plain } from '../../../../src/client/notify/message';

const time = '2026-01-01T00:00:00.000Z';

describe('notification text', () => {
  it('says what needs the user', () => {
    expect(noteFor({ type: 'input', time, session: 'work', job: 3, prompt: '[sudo] password for dev:', echoOff: true, fullScreen: false })).toEqual({ title: 'work: waiting for input (hidden)', body: '[sudo] password for dev:' });
    expect(noteFor({ type: 'job-finished', time, session: 'ci', job: 7, command: 'make test', origin: 'exec', state: 'done', status: 2, durationMs: 754_000 })).toEqual({ title: 'ci: job 7 failed (status 2) after 13 min', body: 'make test' });
    expect(noteFor({ type: 'job-finished', time, session: 'ci', job: 8, command: 'make', origin: 'exec', state: 'done', status: 0, durationMs: 61_000 }).title).toBe('ci: job 8 finished after 61 s');
  });

  it('removes control characters from server text before it reaches a terminal or a notifier', () => {
    expect(plain('a\x1b]0;pwned\x07b\x9bc\r\nd')).toBe('a ]0;pwned b c d');
    const osc = oscNotification({ title: 'x;y', body: 'evil\x1b]777;notify;fake;fake\x07' });
    expect(osc).toBe('\x1b]9;x,y: evil ]777,notify,fake,fake\x07\x1b]777;notify;x,y;evil ]777,notify,fake,fake\x07');
  });

  it('cuts long text', () => {
    expect(plain('x'.repeat(500))).toHaveLength(200);
  });

  it('passes the text to osascript as arguments, never as script text', () => {
    const [file, args] = nativeCommand('darwin', { title: 'a"b', body: '" & do shell script "rm -rf ~" & "' });
    expect(file).toBe('osascript');
    expect(args.slice(-2)).toEqual(['a"b', '" & do shell script "rm -rf ~" & "']);
    expect(args.slice(0, -2).join(' ')).not.toContain('rm -rf');
    expect(nativeCommand('linux', { title: 't', body: 'b' })).toEqual(['notify-send', ['--app-name=pty-relay', 't', 'b']]);
    expect(() => nativeCommand('win32', { title: 't', body: 'b' })).toThrow(/--osc/);
  });
});
