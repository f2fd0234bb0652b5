/** Sender keys (group messages): what one chain encrypts, a receiver built from its distribution message decrypts, in any order. */
import { expect, test } from 'vitest';
import { SenderKey, SenderKeyReceiver } from '../../fake-server/messaging/sender-key.js';

test('a receiver from the distribution message decrypts every iteration, skipped ones later, and refuses a forged signature', () => {
  const sender = new SenderKey();
  const receiver = SenderKeyReceiver.fromDistribution(sender.distribution());
  const [a, b, c] = ['one', 'two', 'three'].map((t) => sender.encrypt(Buffer.from(t)));
  expect(receiver.decrypt(a!).toString()).toBe('one');
  expect(receiver.decrypt(c!).toString()).toBe('three');
  expect(receiver.decrypt(b!).toString()).toBe('two');
  expect(() => receiver.decrypt(b!)).toThrow(/old iteration/);
  const forged = Buffer.from(sender.encrypt(Buffer.from('four')));
  forged[forged.length - 1]! ^= 1;
  expect(() => receiver.decrypt(forged)).toThrow(/invalid signature/);
  // A member who joins later starts at the chain's current iteration.
  const late = SenderKeyReceiver.fromDistribution(sender.distribution());
  expect(late.decrypt(sender.encrypt(Buffer.from('five'))).toString()).toBe('five');
});
