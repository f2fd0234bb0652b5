import { defineKind, onePath, oneAtATime } from './kind.js';

/** The Toxiproxy proxy disabled for the duration: every connection refused or cut. */
export const proxyDown = defineKind({
  name: 'proxy-down',
  place: 'proxy',
  parse: () => {},
  exclusive: oneAtATime,
  unreachable: onePath,
  async apply(_e, { place: proxy }) {
    await proxy.client.setEnabled(proxy.name, false);
    return proxy.clock.now(); // in effect once the API has answered
  },
  async clear(_e, { place: proxy }) {
    await proxy.client.setEnabled(proxy.name, true);
    return proxy.clock.now();
  },
});
