import type { Server } from '../domain/entities.js';

/**
 * The in-process snapshot of the server list (tenants join it later). Reloaded at most every
 * `ttlMs`; 0 reloads on every read. Concurrent readers share one reload.
 */
export class Registry {
  private servers: Map<string, Server> | undefined;
  private loadedAt = 0;
  private stale = false;
  private pending: Promise<Map<string, Server>> | undefined;

  constructor(
    private readonly loadServers: () => Promise<Server[]>,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  private async reload(): Promise<Map<string, Server>> {
    if (!this.pending) {
      this.pending = this.loadServers()
        .then((list) => {
          this.servers = new Map(list.map((s) => [s.id, s]));
          this.loadedAt = this.clock();
          this.stale = false;
          return this.servers;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  private async current(): Promise<Map<string, Server>> {
    if (this.servers && !this.stale && this.ttlMs > 0 && this.clock() - this.loadedAt < this.ttlMs) return this.servers;
    return this.reload();
  }

  async listServers(): Promise<Server[]> {
    return [...(await this.current()).values()];
  }

  /** A server by id; an id the snapshot does not know triggers one reload (it may be new). */
  async server(id: string): Promise<Server | undefined> {
    const found = (await this.current()).get(id);
    if (found || this.ttlMs === 0) return found;
    return (await this.reload()).get(id);
  }

  /** Records a load this process reserved, so its next choice sees it before the next reload. */
  noteLoad(id: string, load: number): void {
    const s = this.servers?.get(id);
    if (s) this.servers!.set(id, { ...s, load });
  }

  invalidate(): void {
    this.stale = true;
  }
}
