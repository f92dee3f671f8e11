import { describe, expect, it } from 'vitest';
import { ACTION_CODE, ACTIONS, REASON_CODE, REASONS } from './decision.js';

describe('decision codes', () => {
  it('each action and reason code is its index in the published order, with no gaps or extras', () => {
    expect(Object.entries(ACTION_CODE)).toEqual(ACTIONS.map((a, i) => [a, i]));
    expect(Object.entries(REASON_CODE)).toEqual(REASONS.map((r, i) => [r, i]));
  });
});
