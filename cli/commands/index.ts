import type { CommandModule } from 'yargs';
import { apiUrlCommand } from './api-url.js';
import { meetingCommands } from './meetings.js';
import { playbackCommands } from './playback.js';
import { pollAllCommand } from './poll.js';
import { recordingCommands } from './recordings.js';
import { recordingsImportCommands } from './recordings-import.js';
import { recordingsPurgeCommand } from './recordings-purge.js';
import { serveCommand } from './serve.js';
import { serverConfigCommands } from './servers-config.js';
import { serversMeetingListCommand } from './servers-meeting-list.js';
import { serversPanicCommand } from './servers-panic.js';
import { serverSyncCommands } from './servers-sync.js';
import { serverCommands } from './servers.js';
import { statusCommand } from './status.js';
import { tenantCommands } from './tenants.js';

// The tasks, in the order `slctl --help` lists them: one entry per line.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  serveCommand,
  ...serverCommands,
  ...serverConfigCommands,
  serversPanicCommand,
  ...serverSyncCommands,
  serversMeetingListCommand,
  pollAllCommand,
  statusCommand,
  ...meetingCommands,
  ...tenantCommands,
  ...recordingCommands,
  ...recordingsImportCommands,
  recordingsPurgeCommand,
  ...playbackCommands,
  apiUrlCommand,
];
