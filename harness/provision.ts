/**
 * Provisioning: writes a ready, paired session into a directory in Baileys' own
 * `useMultiFileAuthState` format and registers the device with the server, so any bot starts
 * already logged in, with no QR. The creds are made by the Baileys version named (its own
 * `initAuthCreds` and `BufferJSON`), so the files are exactly what that version would write.
 * Harness work, not the server's: the server only registers the device; the control API's
 * POST /devices is served by `provisionForControlApi`, handed to `startControlApi`.
 */
import { DeviceRequestError, type DeviceProvisioner } from '../fake-server/control-api.js';
import { defaultBaileysVersion, loadBaileys, NO_BAILEYS_FOUND, UnknownBaileysVersionError, type BaileysModule } from './baileys/versions.js';
import { FileSessionStore } from './session/file-store.js';
import { SessionStoreError, type LoadedSession, type SessionStore } from './session/store.js';
import { sign } from '../fake-server/crypto/curve.js';
import { decodeAdvSignedDeviceIdentity } from '../fake-server/protocol/messages.js';
import { ADV_DEVICE_SIG_PREFIX } from '../fake-server/phone.js';
import type { FakeWhatsAppServer } from '../fake-server/server.js';

export interface ProvisionOptions {
  /** A directory for Baileys' multi-file store (the default store)... */
  authDir?: string;
  /** ...or any session store (e.g. SQLite). */
  store?: SessionStore;
  /** Which Baileys version writes the creds (default: defaultBaileysVersion(), the project's own). */
  baileysVersion?: string;
  phoneNumber?: string;
  /** Replace the creds of a store that already holds a session (default: refuse). */
  overwrite?: boolean;
  /**
   * The device's first pre-keys. 'uploaded-at-first-login' (default): the store holds none and the
   * server counts none, so the first login generates and uploads the version's initial batch (812
   * on 7.x, 30 on 6.7), as after a QR pairing. 'held-by-server': the version's own getNextPreKeys
   * writes that batch into the store (what the upload would have left there) and the server is
   * told it holds them, so the first login's count query answers enough and nothing is uploaded
   * (herds of many clients: no key generation, no ~800 files per client, at the first login).
   */
  preKeys?: 'uploaded-at-first-login' | 'held-by-server';
}

export interface ProvisionedDevice {
  jid: string;
  lid: string;
  /** The store's location (directory or database file). */
  authDir: string;
}

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

const KEY_BUNDLE_TYPE = Buffer.from([5]);

export async function provisionDevice(server: FakeWhatsAppServer, opts: ProvisionOptions): Promise<ProvisionedDevice> {
  const version = opts.baileysVersion ?? defaultBaileysVersion();
  if (!version) throw new UnknownBaileysVersionError(NO_BAILEYS_FOUND);
  const store = opts.store ?? (opts.authDir ? new FileSessionStore(opts.authDir) : undefined);
  if (!store) throw new ProvisionError('Failed to provision: give an authDir or a store.');
  const baileys = await loadBaileys(version);
  if (!opts.overwrite) await refuseExistingSession(store, baileys);
  const session = await store.load(baileys, { allowNew: true, replace: !!opts.overwrite });
  try {
    const creds = session.state.creds;
    Object.assign(creds, baileys.initAuthCreds());
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
    Object.assign(creds, {
      me: { id: device.jid, lid: device.lid, name: 'baileys-chaos' },
      account: {
        details: Buffer.from(account.details),
        accountSignatureKey: Buffer.from(phone.accountKey.public),
        accountSignature: Buffer.from(account.accountSignature!),
        deviceSignature,
      },
      signalIdentities: [{ identifier: { name: device.lid, deviceId: 0 }, identifierKey: Buffer.concat([KEY_BUNDLE_TYPE, phone.accountKey.public]) }],
      platform: 'android',
      registered: true,
    });
    if (opts.preKeys === 'held-by-server') device.preKeyCount = await storeInitialPreKeys(baileys, session.state);
    await session.saveCreds();
    server.devices.add(device);
    server.events.record('paired', null, { jid: device.jid, detail: { provisioned: true, store: store.kind, location: store.location, baileysVersion: version } });
    return { jid: device.jid, lid: device.lid, authDir: store.location };
  } finally {
    await session.close();
  }
}

/**
 * POST /devices for `startControlApi(server, { provision: provisionForControlApi })`: an unknown
 * Baileys version is a 400, a location that already holds a session a 409.
 */
export const provisionForControlApi: DeviceProvisioner = async (server, request) => {
  try {
    return await provisionDevice(server, request);
  } catch (err) {
    if (err instanceof UnknownBaileysVersionError) throw new DeviceRequestError(400, err.message);
    if (err instanceof ProvisionError) throw new DeviceRequestError(409, err.message);
    throw err;
  }
};

/**
 * Writes the version's initial pre-key batch into the store with the version's own functions, as
 * its first login would before uploading it (Baileys' uploadPreKeys: getNextPreKeys, then the
 * creds update), and returns how many the server should count.
 */
async function storeInitialPreKeys(baileys: BaileysModule, state: LoadedSession['state']): Promise<number> {
  const signal = baileys as unknown as {
    INITIAL_PREKEY_COUNT?: number;
    getNextPreKeys?: (state: { creds: unknown; keys: unknown }, count: number) => Promise<{ update: Record<string, unknown> }>;
  };
  const count = signal.INITIAL_PREKEY_COUNT;
  if (typeof count !== 'number' || typeof signal.getNextPreKeys !== 'function') {
    throw new ProvisionError("Failed to provision with preKeys 'held-by-server': this Baileys version exports no INITIAL_PREKEY_COUNT or getNextPreKeys. Provision without it.");
  }
  const { update } = await signal.getNextPreKeys({ creds: state.creds, keys: state.keys }, count);
  Object.assign(state.creds, update);
  return count;
}

/** A store that already loads (or is damaged) is not silently replaced. */
async function refuseExistingSession(store: SessionStore, baileys: BaileysModule): Promise<void> {
  let existing;
  try {
    existing = await store.load(baileys);
  } catch (err) {
    if (err instanceof SessionStoreError && (err.problem === 'missing' || err.problem === 'empty')) return;
    throw new ProvisionError(`Failed to provision into ${store.location}: it holds a damaged session (${(err as Error).message}). Pass overwrite to replace it.`);
  }
  await existing.close();
  throw new ProvisionError(`Failed to provision into ${store.location}: it already holds a session (creds.json or creds row). Use an empty location, or pass overwrite.`);
}
