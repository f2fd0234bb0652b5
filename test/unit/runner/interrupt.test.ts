import { expect, test } from 'vitest';
import { stopOnSignals } from '../../../harness/runner/interrupt.js';

// Each run under way listens on the plan's signal: --jobs 16 is 16 listeners, not a leak to warn of
// (it printed MaxListenersExceededWarning on every run of 11 or more at once).
test('a plan with more than 10 runs at once prints no listener-leak warning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const interruption = stopOnSignals(() => {});
  try {
    for (let i = 0; i < 16; i++) interruption.signal.addEventListener('abort', () => {}, { once: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  } finally {
    interruption.dispose();
    process.off('warning', onWarning);
  }
});
