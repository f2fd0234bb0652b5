import { describe, expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { EventLog } from '../../fake-server/events.js';
import { LiveClientView } from '../../harness/recorder/live-view.js';

describe('LiveClientView', () => {
  test('says what the server saw of a client that could not start: how often let in, its closes by code', () => {
    const events = new EventLog(systemClock);
    events.record('success-sent', 1, { client: '0' });
    events.record('closed', 1, { client: '0', detail: { why: 'replaced', wasOpen: false, code: 440 } });
    const view = new LiveClientView(events);
    // Events after it was made reach it too.
    events.record('success-sent', 2, { client: '0' });
    events.record('closed', 2, { client: '0', detail: { why: 'replaced', wasOpen: false, code: 440 } });
    events.record('closed', 3, { client: '0', detail: { why: 'socket', wasOpen: false } });
    expect(view.hasBeenLetIn(0)).toBe(true);
    expect(view.hasOpened(0)).toBe(false);
    expect(view.closeCount(0)).toBe(3);
    expect(view.describe(0)).toBe('let in 2 times, closed 3 times (440 x2, no code x1)');
    expect(view.describe(1)).toBe('never let in, closed never');
    view.close();
  });
});
