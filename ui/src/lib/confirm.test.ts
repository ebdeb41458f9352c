import { describe, expect, it } from 'vitest';
import { ask, asked } from './confirm.svelte';

describe('ask', () => {
  it('is answered once and then gone', async () => {
    const q = ask({ text: 'Refund ₩9,900?', yes: 'Refund', no: 'Go back', danger: true });
    expect(asked.current?.text).toBe('Refund ₩9,900?');
    asked.current?.answer(true);
    expect(await q).toBe(true);
    expect(asked.current).toBeNull();
  });
  it('answers an older question no when a newer one comes', async () => {
    const first = ask({ text: 'a', yes: 'y', no: 'n', danger: false });
    const second = ask({ text: 'b', yes: 'y', no: 'n', danger: false });
    expect(await first).toBe(false);
    expect(asked.current?.text).toBe('b');
    asked.current?.answer(false);
    expect(await second).toBe(false);
    expect(asked.current).toBeNull();
  });
});
