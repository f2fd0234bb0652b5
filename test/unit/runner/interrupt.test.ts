import { expect, onTestFinished, test } from 'vitest';
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

// A scenarioSuite worker (harness/vitest.ts) told to stop aborts the tests under way, and fails the
// later ones at once; between tests it leaves signals to vitest. (Its orphaned path ends the
// process, so it is shown end to end in the README's Ctrl-C measurement, not here.)
test('a vitest worker told to stop aborts the test under way and fails later ones at once; listens only while a test runs', async () => {
  const { abandonedWorker } = await import('../../../harness/runner/interrupt.js');
  const before = process.listenerCount('SIGTERM');
  const disconnectBefore = process.listeners('disconnect');
  onTestFinished(() => {
    // Told to stop, it keeps listening for the main process going: not this test worker's business.
    for (const l of process.listeners('disconnect')) if (!disconnectBefore.includes(l)) process.off('disconnect', l);
  });
  const first = abandonedWorker();
  const second = abandonedWorker();
  expect(process.listenerCount('SIGTERM')).toBe(before + 1);
  expect(first.signal.aborted).toBe(false);
  process.emit('SIGTERM', 'SIGTERM');
  expect(first.signal.aborted).toBe(true);
  expect(second.signal.aborted).toBe(true);
  expect(first.signal.reason).toBe('SIGTERM');
  first.dispose();
  second.dispose();
  expect(process.listenerCount('SIGTERM')).toBe(before);
  const later = abandonedWorker();
  expect(later.signal.aborted).toBe(true);
  later.dispose();
});
