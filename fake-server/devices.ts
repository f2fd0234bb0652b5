/**
 * The server's account database: which companion devices exist, the keys they must log in with,
 * and the server-side state a login reads (pre-key count). In memory; a server restart keeps it
 * (the FakeWhatsAppServer owns one registry across restarts of its listener).
 */
export interface Device {
  /** `<phone>:<device>@s.whatsapp.net` */
  jid: string;
  /** `<lid>:<device>@lid` */
  lid: string;
  user: string;
  device: number;
  /** The client's Noise static key: a login must present exactly this key. */
  noisePublic: Buffer;
  identityPublic: Buffer;
  preKeyCount: number;
  createdAt: number;
  /** Set when the server removed the device (401 on the next login). */
  removed?: boolean;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, Device>();
  private nextDeviceId = new Map<string, number>();

  /** Allocates the next companion device number for a phone number (1, 2, ...). */
  allocateDeviceNumber(user: string): number {
    const n = (this.nextDeviceId.get(user) ?? 0) + 1;
    this.nextDeviceId.set(user, n);
    return n;
  }

  add(device: Device): void {
    this.devices.set(key(device.user, device.device), device);
  }

  find(user: string, device: number): Device | undefined {
    return this.devices.get(key(user, device));
  }

  list(): Device[] {
    return [...this.devices.values()];
  }
}

const key = (user: string, device: number) => `${user}:${device}`;
