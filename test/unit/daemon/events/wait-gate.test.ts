import { describe, expect, it } from 'vitest';
import { WaitGate } from '../../../../src/daemon/events/wait-gate';

describe('WaitGate', () => {
  it('reports the first wait, then none until an answer ends a line', () => {
    const g = new WaitGate();
    expect(g.take()).toBe(true);
    expect(g.take()).toBe(false); // a redraw, then the same wait again
    g.typed(Buffer.from('y'));
    g.typed(Buffer.from('es'));
    expect(g.open).toBe(false); // keystrokes echoed: still the same question
    g.typed(Buffer.from('\r'));
    expect(g.take()).toBe(true);
    g.typed(Buffer.from('no\n'));
    expect(g.take()).toBe(true);
  });

  it('re-arms for a new job', () => {
    const g = new WaitGate();
    g.take();
    g.arm();
    expect(g.take()).toBe(true);
  });
});
