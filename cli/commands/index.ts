import type { CommandModule } from 'yargs';
import { contextCommands } from './context.js';
import { dashboardCommand } from './dashboard.js';
import { playbackCommands } from './playback.js';
import { recordingsImportCommands } from './recordings-import.js';
import { remoteCommands } from './remote-commands.js';
import { serveCommand } from './serve.js';

// The tasks, in the order `slctl --help` lists them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  serveCommand,
  ...remoteCommands.servers,
  ...recordingsImportCommands,
  ...remoteCommands.recordings,
  ...playbackCommands,
  ...remoteCommands.rest,
  ...contextCommands,
  dashboardCommand,
];
