/**
 * Provisioning: writes a ready, paired session into a directory in Baileys' own
 * `useMultiFileAuthState` format and registers the device with the server, so any bot starts
 * already logged in, with no QR. The creds are made by the Baileys version named (its own
 * `initAuthCreds` and `BufferJSON`), so the files are exactly what that version would write.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBaileys, SUPPORTED_BAILEYS_VERSIONS } from '../harness/baileys/versions.js';
import { sign } from './crypto/curve.js';
import { decodeAdvSignedDeviceIdentity } from './protocol/messages.js';
import { ADV_DEVICE_SIG_PREFIX } from './phone.js';
import type { FakeWhatsAppServer } from './server.js';

export interface ProvisionOptions {
  authDir: string;
  /** Which Baileys version writes the creds (default: the newest supported). */
  baileysVersion?: string;
  phoneNumber?: string;
  /** Overwrite a directory that already holds creds.json (default: refuse). */
  overwrite?: boolean;
}

export interface ProvisionedDevice {
  jid: string;
  lid: string;
  authDir: string;
}

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

const KEY_BUNDLE_TYPE = Buffer.from([5]);

export async function provisionDevice(server: FakeWhatsAppServer, opts: ProvisionOptions): Promise<ProvisionedDevice> {
  const version = opts.baileysVersion ?? SUPPORTED_BAILEYS_VERSIONS[SUPPORTED_BAILEYS_VERSIONS.length - 1]!;
  await mkdir(opts.authDir, { recursive: true });
  const existing = await readdir(opts.authDir);
  if (existing.includes('creds.json') && !opts.overwrite) {
    throw new ProvisionError(`Failed to provision into ${opts.authDir}: it already holds creds.json. Use an empty directory, or pass overwrite.`);
  }
  const baileys = await loadBaileys(version);
  const creds = baileys.initAuthCreds();
  const noisePublic = Buffer.from(creds.noiseKey.public);
  const identityPublic = Buffer.from(creds.signedIdentityKey.public);

  // The phone vouches for the device exactly as in a QR pairing; the device countersigns.
  const phone = server.phone(opts.phoneNumber);
  const device = server.newDevice(phone, { noisePublic, identityPublic });
  const { signed } = phone.vouchFor(identityPublic, Buffer.from(creds.advSecretKey, 'base64'), server.clock.wallNow() / 1000);
  const account = decodeAdvSignedDeviceIdentity(signed);
  const deviceSignature = sign(
    creds.signedIdentityKey.private,
    Buffer.concat([ADV_DEVICE_SIG_PREFIX, account.details, identityPublic, phone.accountKey.public]),
  );

  creds.me = { id: device.jid, lid: device.lid, name: 'baileys-chaos' };
  creds.account = {
    details: Buffer.from(account.details),
    accountSignatureKey: Buffer.from(phone.accountKey.public),
    accountSignature: Buffer.from(account.accountSignature!),
    deviceSignature,
  };
  creds.signalIdentities = [
    { identifier: { name: device.lid, deviceId: 0 }, identifierKey: Buffer.concat([KEY_BUNDLE_TYPE, phone.accountKey.public]) },
  ];
  creds.platform = 'android';
  creds.registered = true;

  await writeFile(join(opts.authDir, 'creds.json'), JSON.stringify(creds, baileys.BufferJSON.replacer));
  server.devices.add(device);
  server.events.record('paired', null, { jid: device.jid, detail: { provisioned: true, authDir: opts.authDir, baileysVersion: version } });
  return { jid: device.jid, lid: device.lid, authDir: opts.authDir };
}
