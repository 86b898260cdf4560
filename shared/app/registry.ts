import type { Server } from '../domain/entities.js';
import type { TenantWithSettings } from '../store/tenant-repo.js';

/** A reload for an unknown server id happens at most this often. */
const MISS_RELOAD_MS = 1000;
/** After a failed reload the previous snapshot is served this long before the next try. */
export const STALE_RETRY_MS = 1000;

interface Snapshot {
  servers: Map<string, Server>;
  /** by name */
  tenants: Map<string, TenantWithSettings>;
}

/**
 * The in-process snapshot of the servers and (multitenant mode) the tenants with their settings.
 * Both are reloaded together, at most every `ttlMs`; 0 reloads on every read. Concurrent readers share
 * one reload. On a warm instance a tenant lookup costs no DynamoDB round trip.
 */
export class Registry {
  private snapshot: Snapshot | undefined;
  private loadedAt = 0;
  private stale = false;
  private pending: Promise<Snapshot> | undefined;
  private retryAfter = 0;

  constructor(
    private readonly loadServers: () => Promise<Server[]>,
    private readonly ttlMs: number,
    private readonly clock: () => number,
    /** absent: no tenants (single-tenant mode reads none) */
    private readonly loadTenants?: () => Promise<TenantWithSettings[]>,
    /** told when a reload failed and the previous snapshot is served instead */
    private readonly onStaleServed: (error: Error) => void = () => {},
  ) {}

  private async reload(): Promise<Snapshot> {
    if (!this.pending) {
      this.pending = Promise.all([this.loadServers(), this.loadTenants?.() ?? []])
        .then(([servers, tenants]) => {
          this.snapshot = { servers: new Map(servers.map((s) => [s.id, s])), tenants: new Map(tenants.map((t) => [t.name, t])) };
          this.loadedAt = this.clock();
          this.stale = false;
          return this.snapshot;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /**
   * The snapshot, reloaded when due. A failed reload (DynamoDB throttled or unreachable) serves the
   * previous snapshot — servers and tenants change rarely, and a request must not fail for a refresh —
   * and is tried again after STALE_RETRY_MS; only a process that never loaded one fails.
   */
  private async current(): Promise<Snapshot> {
    if (this.snapshot && !this.stale && this.ttlMs > 0 && this.clock() - this.loadedAt < this.ttlMs) return this.snapshot;
    if (this.snapshot && this.clock() < this.retryAfter) return this.snapshot;
    try {
      return await this.reload();
    } catch (e) {
      if (!this.snapshot) throw e;
      this.retryAfter = this.clock() + STALE_RETRY_MS;
      this.onStaleServed(e instanceof Error ? e : new Error(String(e)));
      return this.snapshot;
    }
  }

  async listServers(): Promise<Server[]> {
    return [...(await this.current()).servers.values()];
  }

  /**
   * A server by id. An id the snapshot does not know triggers a reload (the server may be new), but at
   * most once a second: a meeting whose server was removed must not make every request read the table.
   */
  async server(id: string): Promise<Server | undefined> {
    const found = (await this.current()).servers.get(id);
    if (found || this.ttlMs === 0 || this.clock() - this.loadedAt < MISS_RELOAD_MS || this.clock() < this.retryAfter) return found;
    try {
      return (await this.reload()).servers.get(id);
    } catch (e) {
      this.retryAfter = this.clock() + STALE_RETRY_MS;
      this.onStaleServed(e instanceof Error ? e : new Error(String(e)));
      return found;
    }
  }

  /**
   * The tenant with this name, with its settings. An unknown name does not force a reload: the name
   * comes from the request's Host header, and a client must not be able to make every request read
   * the table. A tenant added since the snapshot is known within REGISTRY_TTL.
   */
  async tenantByName(name: string): Promise<TenantWithSettings | undefined> {
    return (await this.current()).tenants.get(name);
  }

  /** The load the snapshot holds for a server now, including this process's reservations. */
  cachedLoad(id: string): number | undefined {
    return this.snapshot?.servers.get(id)?.load;
  }

  /**
   * Adds a reservation this process is making to the cached load at the moment of choice, so that
   * concurrent placements in this process see it at once (a negative delta takes it back).
   */
  addLoad(id: string, delta: number): void {
    const s = this.snapshot?.servers.get(id);
    if (s && s.load !== undefined) this.snapshot!.servers.set(id, { ...s, load: s.load + delta });
  }

  /** Records the load DynamoDB reported after a reservation (it includes other instances' reservations). */
  noteLoad(id: string, load: number): void {
    const s = this.snapshot?.servers.get(id);
    if (s) this.snapshot!.servers.set(id, { ...s, load: Math.max(load, s.load ?? load) });
  }

  invalidate(): void {
    this.stale = true;
  }
}
