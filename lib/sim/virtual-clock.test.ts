import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/index.js';
import { VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('runs speed times faster than its base; a held one stays at its start until released', () => {
    const base = new TestClock(1_000);
    const running = new VirtualClock(50_000, 300, base);
    const held = new VirtualClock(50_000, 300, base, { held: true });
    base.advance(10);
    expect(running.now()).toBe(53_000);
    expect(held.now()).toBe(50_000);
    held.release();
    expect(held.now()).toBe(50_000);
    base.advance(10);
    expect(held.now()).toBe(53_000);
    held.release(); // a no-op once running
    expect(held.now()).toBe(53_000);
    expect(running.now()).toBe(56_000);
  });
});
