import { expect, test } from 'vitest';
import type { AdmissionPolicy } from '../../fake-server/moves.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import type { Bot } from '../../harness/bots/bot.js';
import { injectorFor } from '../../harness/faults/injectors.js';
import { FAULT_KINDS, parseSchedule } from '../../harness/faults/schedule.js';
import { refuseUnreachable, type Scenario } from '../../harness/scenario.js';

test('every fault kind has its module, listed in the order error messages name them', () => {
  expect(FAULT_KINDS).toEqual(['server-move', 'admission', 'server-restart', 'toxic', 'proxy-down', 'clock-jump', 'clock-skew', 'clock-drift', 'packet-loss', 'packet-bandwidth', 'kill']);
});

const bot = (b: Partial<Bot>): Bot => ({ label: 'b', flags: [], where: 'process', store: 'any', declaresPolicy: false, clockFaults: true, killable: true, client: () => ({}) as never, ...b });
const scenario = (clients: number) => ({ name: 's', clients }) as Scenario;

test.each([
  [{ at: 0, fault: 'kill' }, { killable: false }, 1, /entry 0 \(kill\): this bot cannot be killed/],
  [{ at: 0, fault: 'kill' }, { where: 'in-process' }, 1, /needs each client in its own process/],
  [{ at: 0, fault: 'clock-drift', params: { rate: 0.1 } }, { clockFaults: false }, 1, /entry 0 \(clock-drift\): a clock fault cannot reach this bot's own clock/],
  [{ at: 0, fault: 'clock-jump', target: 1, params: { ms: 5 } }, { where: 'in-process' }, 2, /shifts one client's clock, which needs each client in its own process/],
  [{ at: 0, fault: 'toxic', target: 0, params: { type: 'noop' } }, {}, 2, /entry 0 \(toxic, target 0\): every client shares one network path/],
  [{ at: 0, fault: 'server-move', target: 3, params: { kind: 'drop' } }, {}, 2, /entry 0 \(server-move, target 3\) targets a client the scenario does not have \(it has 2\)/],
] as const)('%j on a bot %j with %i clients is refused before the run', (entry, b, clients, message) => {
  expect(() => refuseUnreachable(scenario(clients), parseSchedule([entry]), bot(b))).toThrow(message);
});

test('a clock fault for one of several clients of a bot that can run either way runs each client in its own process (its own clock), not refused', () => {
  const schedule = parseSchedule([{ at: 0, fault: 'clock-jump', target: 1, params: { ms: 5 } }]);
  expect(() => refuseUnreachable(scenario(2), schedule, bot({ where: 'either' }))).not.toThrow();
  // A lone client may keep the shared clock: the fault reaches exactly it.
  expect(() => refuseUnreachable(scenario(1), parseSchedule([{ at: 0, fault: 'clock-jump', target: 0, params: { ms: 5 } }]), bot({ where: 'in-process' }))).not.toThrow();
});

test('what every kind can reach is accepted', () => {
  expect(() => refuseUnreachable(scenario(2), parseSchedule([{ at: 0, fault: 'clock-jump', target: 1, params: { ms: 5 } }, { at: 0, fault: 'kill', target: 0 }, { at: 0, fault: 'server-move', target: 1, params: { kind: 'silence' } }]), bot({}))).not.toThrow();
});

test('one injector serves the kinds of the places given; an admission change is put back as it was', async () => {
  let policy: Partial<AdmissionPolicy> = { postHandshakeDelayMs: 20, serverClockOffsetMs: 0, refuseLogin: 403 };
  const server = { admission: () => policy, setAdmission: (c: Partial<AdmissionPolicy>) => (policy = { ...policy, ...c }) } as unknown as FakeWhatsAppServer;
  const injector = injectorFor({ server });
  expect([...injector.kinds]).toEqual(['server-move', 'admission', 'server-restart']);
  const [entry] = parseSchedule([{ at: 0, duration: 1, fault: 'admission', params: { refuseLogin: 401, withholdSuccess: true } }]);
  await injector.apply(entry!, 0);
  expect(policy).toMatchObject({ refuseLogin: 401, withholdSuccess: true });
  await injector.clear(entry!, 0);
  expect(policy).toMatchObject({ refuseLogin: 403, withholdSuccess: false });
});
