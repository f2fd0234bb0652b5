/**
 * The Docker backend (@testcontainers/toxiproxy, image ghcr.io/shopify/toxiproxy:2.12.0), for users
 * with a Docker engine. Skipped where no engine is reachable — this development machine has none.
 */
import { expect, test } from 'vitest';
import { dockerAvailable, startDocker, ToxiproxyUnavailableError } from '../../../harness/faults/toxiproxy/backend.js';
import { onCleanup } from '../../helpers.js';

test.skipIf(!dockerAvailable())('Docker backend (skipped: no Docker engine reachable here): Toxiproxy in a container answers the API', async () => {
  const backend = await startDocker();
  onCleanup(() => backend.close());
  expect(backend.kind).toBe('docker');
  expect(await backend.client.version()).toBeTruthy();
  const proxy = await backend.client.createProxy('docker-check', '127.0.0.1:9');
  expect(proxy.listen).toMatch(/:\d+$/);
}, 180_000);

test.runIf(!dockerAvailable())('without a Docker engine, asking for the Docker backend is a clear error', async () => {
  await expect(startDocker()).rejects.toThrow(ToxiproxyUnavailableError);
  await expect(startDocker()).rejects.toThrow(/no Docker engine is reachable/);
});
