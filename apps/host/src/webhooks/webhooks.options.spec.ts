import { DEFAULT_WEBHOOK_OPTIONS, RETRY_STEPS, webhookRetryDelayMs } from './webhooks.options';

describe('webhook retry schedule', () => {
  it('waits 30 s, 2 min, 10 min, 1 h, 6 h, 12 h, 24 h, 24 h with the default base and no jitter', () => {
    const mid = () => 0.5;
    const waits = RETRY_STEPS.map((_, i) => webhookRetryDelayMs(30_000, i + 1, mid));
    expect(waits).toEqual([30_000, 120_000, 600_000, 3_600_000, 21_600_000, 43_200_000, 86_400_000, 86_400_000]);
  });

  it('gives up after about three days', () => {
    const total = RETRY_STEPS.reduce((sum, _, i) => sum + webhookRetryDelayMs(DEFAULT_WEBHOOK_OPTIONS.retryBaseMs, i + 1, () => 0.5), 0);
    expect(total / 86_400_000).toBeGreaterThan(2.5);
    expect(total / 86_400_000).toBeLessThan(3.5);
    expect(DEFAULT_WEBHOOK_OPTIONS.maxAttempts).toBe(RETRY_STEPS.length + 1);
  });

  it('jitters by ±20% and stays at the last step past the schedule', () => {
    expect(webhookRetryDelayMs(1000, 1, () => 0)).toBe(800);
    expect(webhookRetryDelayMs(1000, 1, () => 1)).toBe(1200);
    expect(webhookRetryDelayMs(1000, 20, () => 0.5)).toBe(1000 * RETRY_STEPS[RETRY_STEPS.length - 1]);
  });
});
