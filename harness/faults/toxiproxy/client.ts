/**
 * The one adapter around `toxiproxy-node-client`, where it falls short: it throws away the
 * server's error text (we keep it: ToxiproxyApiError has the status and Toxiproxy's message), and
 * `populate([])` fails on the server's `{"proxies": null}`. Everything else is the client's own.
 */
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';

export class ToxiproxyApiError extends Error {
  override name = 'ToxiproxyApiError';
  constructor(
    readonly status: number,
    readonly serverMessage: string,
    what: string,
  ) {
    super(`Failed to ${what}: Toxiproxy answered ${status} "${serverMessage}".`);
  }
}

export interface ToxicSpecInput {
  name?: string;
  type: string;
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes: Record<string, number>;
}

export class ToxiproxyClient {
  readonly client: Toxiproxy;

  constructor(readonly url: string) {
    this.client = new Toxiproxy(url);
    // Keep the server's error body: the stock client replaces it with "Request failed with status code N".
    const api = this.client.getApi() as unknown as { doFetch: (url: string, init: RequestInit) => Promise<Response> };
    api.doFetch = async (u, init) => {
      const res = await fetch(u, init);
      if (!res.ok) {
        const text = await res.text();
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { error?: string }).error ?? message;
        } catch {
          /* not JSON: keep the text */
        }
        throw new ToxiproxyApiError(res.status, message, `${init.method ?? 'GET'} ${new URL(u).pathname}`);
      }
      return res;
    };
  }

  version(): Promise<string> {
    return this.client.getVersion();
  }

  async createProxy(name: string, upstream: string, listen = '127.0.0.1:0') {
    return this.client.createProxy({ name, upstream, listen });
  }

  async populate(proxies: { name: string; upstream: string; listen: string; enabled?: boolean }[]) {
    if (proxies.length === 0) return {};
    return this.client.populate(proxies as never);
  }

  async addToxic(proxyName: string, toxic: ToxicSpecInput) {
    const proxy = await this.client.get(proxyName);
    return proxy.addToxic({ stream: 'downstream', toxicity: 1, ...toxic } as ICreateToxicBody<unknown>);
  }

  async removeToxic(proxyName: string, toxicName: string): Promise<void> {
    const proxy = await this.client.get(proxyName);
    const toxic = await proxy.getToxic(toxicName);
    await toxic.remove();
  }

  async setEnabled(proxyName: string, enabled: boolean): Promise<void> {
    const proxy = await this.client.get(proxyName);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }

  async removeProxy(proxyName: string): Promise<void> {
    await (await this.client.get(proxyName)).remove();
  }

  reset(): Promise<void> {
    return this.client.reset();
  }
}
