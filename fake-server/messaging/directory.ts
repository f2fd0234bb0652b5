/**
 * Who the server simulates on the other end of a chat: a few WhatsApp users ("contacts") with
 * stable phone-number jids and a LID each, every device a real Signal party, plus the bot
 * account's own phone (device 0 of the bot's user), to which Baileys also encrypts what it sends.
 */
import { SignalParty } from './party.js';

export interface Contact {
  /** The phone number, the jid's user part. */
  user: string;
  /** `<user>@s.whatsapp.net` */
  jid: string;
  /** `<lid user>@lid` */
  lid: string;
  /** The push name (`notify`) its messages carry. */
  name: string;
  devices: Map<number, SignalParty>;
}

export interface ContactInfo {
  jid: string;
  lid: string;
  name: string;
  devices: number[];
}

/** Contacts' numbers: a range the server never gives bot phones (those start at 15550000001). */
const CONTACTS: { user: string; name: string; devices: number[] }[] = [
  { user: '15559990001', name: 'Alice', devices: [0] },
  { user: '15559990002', name: 'Bob', devices: [0] },
  // Two devices: what the bot sends to Carol is encrypted once per device.
  { user: '15559990003', name: 'Carol', devices: [0, 1] },
];

/** The one simulated group: every contact and every registered bot user is a member. */
export const GROUP = { jid: '120363000000000001@g.us', subject: 'Chaos group', creator: '15559990001@s.whatsapp.net', creation: 1_700_000_000 } as const;

export interface ParsedJid {
  user: string;
  device: number;
  server: string;
}

/** `user[:device]@server` (agent suffixes `user_agent` are not used by WhatsApp Web jids). */
export function parseJid(jid: string): ParsedJid | undefined {
  const m = /^([^@:]+)(?::(\d+))?@(.+)$/.exec(jid);
  if (!m) return undefined;
  return { user: m[1]!, device: m[2] ? Number(m[2]) : 0, server: m[3]! };
}

export class Directory {
  private readonly contacts = new Map<string, Contact>();
  private readonly byLid = new Map<string, Contact>();
  private readonly phones = new Map<string, SignalParty>();

  constructor(private readonly lidFor: (user: string) => string) {
    for (const c of CONTACTS) {
      const lidUser = lidFor(c.user);
      const contact: Contact = {
        user: c.user,
        jid: `${c.user}@s.whatsapp.net`,
        lid: `${lidUser}@lid`,
        name: c.name,
        devices: new Map(c.devices.map((d) => [d, new SignalParty(`${c.name}.${d}`)])),
      };
      this.contacts.set(c.user, contact);
      this.byLid.set(lidUser, contact);
    }
  }

  list(): ContactInfo[] {
    return [...this.contacts.values()].map((c) => ({ jid: c.jid, lid: c.lid, name: c.name, devices: [...c.devices.keys()] }));
  }

  /** A contact by its phone-number or LID jid (any device). */
  contact(jid: string): Contact | undefined {
    const p = parseJid(jid);
    if (!p) return undefined;
    if (p.server === 's.whatsapp.net') return this.contacts.get(p.user);
    if (p.server === 'lid') return this.byLid.get(p.user);
    return undefined;
  }

  /** A contact's device party by a device jid (PN or LID). */
  contactDevice(jid: string): { contact: Contact; device: number; party: SignalParty } | undefined {
    const contact = this.contact(jid);
    const device = parseJid(jid)?.device ?? 0;
    const party = contact?.devices.get(device);
    return contact && party ? { contact, device, party } : undefined;
  }

  /** The group a jid names, if it is the simulated one. */
  group(jid: string | undefined): typeof GROUP | undefined {
    return jid === GROUP.jid ? GROUP : undefined;
  }

  /** Every contact device (for a group message: each decrypts its own copy). */
  allContactDevices(): { contact: Contact; device: number; party: SignalParty }[] {
    return [...this.contacts.values()].flatMap((contact) => [...contact.devices].map(([device, party]) => ({ contact, device, party })));
  }

  /** The bot account's own phone (device 0 of a bot user), created on first use. */
  phoneOf(botUser: string): SignalParty {
    let phone = this.phones.get(botUser);
    if (!phone) {
      phone = new SignalParty(`phone.${botUser}`);
      this.phones.set(botUser, phone);
    }
    return phone;
  }
}
