import type { CommandModule } from 'yargs';
import { apiUrlCommand } from './api-url.js';
import { pollAllCommand } from './poll.js';
import { serveCommand } from './serve.js';
import { serverCommands } from './servers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [serveCommand, ...serverCommands, pollAllCommand, apiUrlCommand];
