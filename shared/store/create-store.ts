import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CallbackOutboxRepo } from './callback-outbox-repo.js';
import { MeetingRepo } from './meeting-repo.js';
import { PlaybackTokenRepo } from './playback-token-repo.js';
import { PollHistoryRepo } from './poll-history-repo.js';
import { RecordingRepo } from './recording-repo.js';
import { ServerRepo } from './server-repo.js';
import { TenantLoadRepo } from './tenant-load-repo.js';
import { TenantRepo } from './tenant-repo.js';
import { UsageRepo } from './usage-repo.js';

export interface Store {
  servers: ServerRepo;
  meetings: MeetingRepo;
  tenants: TenantRepo;
  /** limited tenants' counters (tenant limits) */
  tenantLoads: TenantLoadRepo;
  recordings: RecordingRepo;
  /** recording-ready callbacks waiting for (another) attempt */
  callbackOutbox: CallbackOutboxRepo;
  /** one-time tokens of protected recordings' play routes */
  playbackTokens: PlaybackTokenRepo;
  /** the last poll cycles (a bounded ring; the dashboard, the Prometheus gauges per tenant) */
  pollHistory: PollHistoryRepo;
  /** the usage ledger: per tenant and UTC day (the poller and the importer add, `slctl usage` reads) */
  usage: UsageRepo;
  /** resolves when the table answers */
  ping(): Promise<void>;
}

export function createStore(db: DynamoDBDocumentClient, table: string): Store {
  return {
    servers: new ServerRepo(db, table),
    meetings: new MeetingRepo(db, table),
    tenants: new TenantRepo(db, table),
    tenantLoads: new TenantLoadRepo(db, table),
    recordings: new RecordingRepo(db, table),
    callbackOutbox: new CallbackOutboxRepo(db, table),
    playbackTokens: new PlaybackTokenRepo(db, table),
    pollHistory: new PollHistoryRepo(db, table),
    usage: new UsageRepo(db, table),
    ping: () => pingStore(db, table),
  };
}

/** Proves the table answers: one GetItem of a key that never exists. */
export async function pingStore(db: DynamoDBDocumentClient, table: string): Promise<void> {
  await db.send(new GetCommand({ TableName: table, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
}
