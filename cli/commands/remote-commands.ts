import type { CommandModule } from 'yargs';
import { apiUrlCommand } from './api-url.js';
import { dashboardDataCommand } from './dashboard-data.js';
import { meetingCommands } from './meetings.js';
import { metricsCommand } from './metrics.js';
import { pollAllCommand } from './poll.js';
import { recordingCommands } from './recordings.js';
import { recordingsPurgeCommand } from './recordings-purge.js';
import { serverConfigCommands } from './servers-config.js';
import { serversMeetingListCommand } from './servers-meeting-list.js';
import { serversPanicCommand } from './servers-panic.js';
import { serverSyncCommands } from './servers-sync.js';
import { serverCommands } from './servers.js';
import { statusCommand } from './status.js';
import { tenantCommands } from './tenants.js';
import { usageCommand } from './usage.js';

/**
 * The tasks the admin function runs (everything but the local-only ones of cli/task-names.ts), in the
 * order `slctl --help` lists them. The admin function's bundle starts here, so nothing of the local
 * stack (dynalite, s3rver) or of the local importers is in it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const remoteCommands: { servers: CommandModule<any, any>[]; recordings: CommandModule<any, any>[]; rest: CommandModule<any, any>[] } = {
  servers: [...serverCommands, ...serverConfigCommands, serversPanicCommand, ...serverSyncCommands, serversMeetingListCommand, pollAllCommand, statusCommand, ...meetingCommands, ...tenantCommands, ...recordingCommands],
  recordings: [recordingsPurgeCommand],
  rest: [apiUrlCommand, metricsCommand, dashboardDataCommand, usageCommand],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const allRemoteCommands: CommandModule<any, any>[] = [...remoteCommands.servers, ...remoteCommands.recordings, ...remoteCommands.rest];
