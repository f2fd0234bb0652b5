/**
 * Everything a run holds (server, Toxiproxy, namespace, temp dir, clients, timers), released in
 * reverse order of acquisition, each on its own: one failing release does not leak the rest.
 * Once released, anything added later (a step still finishing after an interrupt) is released at
 * once and the step is stopped there (add throws), so an abandoned step cannot leave something behind.
 * What such a step may recreate without adding anything (a directory it writes into) is marked
 * `again` and released once more when the steps have settled.
 */
export class ReleasedError extends Error {
  override name = 'ReleasedError';
}

export class Resources {
  private readonly releases: { what: string; fn: () => Promise<void> | void; again?: boolean }[] = [];
  private released: Promise<void> | undefined;
  private readonly late: Promise<void>[] = [];

  add(what: string, fn: () => Promise<void> | void, opts: { again?: boolean } = {}): void {
    if (!this.released) return void this.releases.push({ what, fn, ...opts });
    this.late.push(this.releaseOne(what, fn).then((failure) => void (failure && warn([failure]))));
    throw new ReleasedError(`Failed to keep ${what}: the run's resources were already released (it was interrupted).`);
  }

  /** Releases everything (once; later calls wait for the same release). */
  release(): Promise<void> {
    this.released ??= (async () => {
      await this.releaseEach(this.releases.reverse());
    })();
    return this.released;
  }

  /**
   * Once the abandoned steps have settled: waits for releases of things added after release()
   * (bounded by their own release), then releases again what is marked `again`.
   */
  async settled(): Promise<void> {
    await this.released;
    await Promise.all(this.late);
    await this.releaseEach(this.releases.filter((r) => r.again));
  }

  /** One after another, each on its own; the failures warned of together. */
  private async releaseEach(list: { what: string; fn: () => Promise<void> | void }[]): Promise<void> {
    const failures: string[] = [];
    for (const { what, fn } of list) {
      const failure = await this.releaseOne(what, fn);
      if (failure) failures.push(failure);
    }
    if (failures.length) warn(failures);
  }

  private async releaseOne(what: string, fn: () => Promise<void> | void): Promise<string | undefined> {
    try {
      await fn();
      return undefined;
    } catch (err) {
      return `${what}: ${(err as Error)?.message ?? String(err)}`;
    }
  }
}

const warn = (failures: string[]) => process.emitWarning(`baileys-chaos: releasing a run failed for ${failures.join('; ')}`);
