/**
 * Provisioning with pre-keys held by the server (bench section `scale`): the store holds the
 * version's initial pre-key batch and the server counts it, so the first login asks the count and
 * uploads nothing. A device provisioned the default way still uploads its batch at its first login,
 * so the server's evidence (an `encrypt` set IQ carrying a `registration`) does tell them apart.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { loadBaileys, SUPPORTED_BAILEYS_VERSIONS } from '../../harness/baileys/versions.js';
import { provisionDevice } from '../../harness/provision.js';
import { connectClient, startServer, tempDir } from '../helpers.js';

/** The IQs the server saw on a device's connections: the count query and the pre-key upload. */
function preKeyIqs(server: FakeWhatsAppServer, jid: string) {
  const conns = new Set(server.events.list({ type: 'login' }).filter((e) => e.jid === jid).map((e) => e.conn));
  const iqs = server.events.list({ type: 'iq' }).filter((e) => conns.has(e.conn) && e.detail?.xmlns === 'encrypt');
  return {
    countQueries: iqs.filter((e) => e.detail?.type === 'get' && e.detail?.child === 'count').length,
    uploads: iqs.filter((e) => e.detail?.type === 'set' && e.detail?.child === 'registration').length,
  };
}

async function loginOnce(server: FakeWhatsAppServer, version: string, preKeys?: 'held-by-server') {
  const authDir = await tempDir();
  const { jid } = await provisionDevice(server, { authDir, baileysVersion: version, ...(preKeys ? { preKeys } : {}) });
  const filesBefore = (await readdir(authDir)).filter((f) => f.startsWith('pre-key-')).length;
  const countBefore = server.devices.list().find((d) => d.jid === jid)!.preKeyCount;
  const client = await connectClient(server, version, { authDir });
  await client.waitFor('open', 20_000);
  await server.events.waitFor((e) => e.type === 'open' && e.jid === jid, 5_000, 'the server to see the device open');
  return { authDir, jid, filesBefore, countBefore, iqs: preKeyIqs(server, jid), countAfter: server.devices.list().find((d) => d.jid === jid)!.preKeyCount };
}

describe.each([...SUPPORTED_BAILEYS_VERSIONS])('Baileys %s: provisioning with pre-keys held by the server', (version) => {
  test('the first login asks the count and uploads nothing; a default-provisioned device still uploads', async () => {
    const initial = (await loadBaileys(version) as unknown as { INITIAL_PREKEY_COUNT: number }).INITIAL_PREKEY_COUNT;
    expect(initial).toBe(version.startsWith('6.') ? 30 : 812);
    const server = await startServer();

    const held = await loginOnce(server, version, 'held-by-server');
    expect(held.iqs).toEqual({ countQueries: 1, uploads: 0 });
    expect(held.countBefore).toBe(initial);
    expect(held.filesBefore).toBe(initial); // written into the store as the upload would have left them
    const creds = JSON.parse(await readFile(join(held.authDir, 'creds.json'), 'utf8'));
    expect(creds).toMatchObject({ nextPreKeyId: initial + 1, firstUnuploadedPreKeyId: initial + 1 });
    expect(held.countAfter).toBe(initial);

    const plain = await loginOnce(server, version);
    expect(plain.countBefore).toBe(0);
    expect(plain.filesBefore).toBe(0);
    expect(plain.iqs).toEqual({ countQueries: 1, uploads: 1 });
    expect(plain.countAfter).toBe(initial);
  });
});
