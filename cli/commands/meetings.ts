import type { Argv, CommandModule } from 'yargs';
import { BbbFailedError, BbbTransportError } from '../../shared/bbb/bbb-client.js';
import { bbbMeetingId } from '../../shared/domain/meeting-id.js';
import { callBbb, errorText, runBounded, sendEnd } from '../bbb-tasks.js';
import { CliError, declined, usageError } from '../cli-error.js';
import { findMeetings, meetingNotFound, textOf } from '../meeting-lookup.js';
import { splitIds } from '../server-lookup.js';
import { readLine, say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';
import { memo } from '../task-slice.js';

const idsPositional = <T>(y: Argv<T>, what: string) =>
  y.positional('IDS', { type: 'string', describe: `${what} meetingIDs separated by ":" (default: all meetings)` });

// ------------------------------------------------------------------------------------------------ meetings:list

type ListArgs = TargetFlags & { IDS?: string; json?: boolean };

interface ListedMeeting {
  meetingID: string;
  serverId: string;
  serverUrl: string | null;
  meetingName: string | null;
  running: boolean | null;
  participantCount: number | null;
  error: string | null;
}

/** `slctl meetings:list [IDS]` (also `slctl meetings`): each meeting as its server reports it (getMeetingInfo). */
export const meetingsListCommand: CommandModule<object, ListArgs> = {
  command: ['meetings:list [IDS]', 'meetings [IDS]'],
  describe: 'List the meetings with their servers (asks each server)',
  builder: (y) =>
    idsPositional(y, 'Only these').option('json', { type: 'boolean', default: false, describe: 'Print a JSON array instead' }) as Argv<ListArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    const placed = await findMeetings(deps, splitIds(argv.IDS));
    const listed = await runBounded(deps, 'Asking servers', placed, async ({ meeting, server }): Promise<ListedMeeting> => {
      const row: ListedMeeting = { meetingID: bbbMeetingId(meeting.tenantId, meeting.meetingID), serverId: meeting.serverId, serverUrl: server?.url ?? null, meetingName: null, running: null, participantCount: null, error: null };
      try {
        if (!server) throw new Error(`Server ${meeting.serverId} not found`);
        const { response } = await callBbb(deps, server, 'getMeetingInfo', { meetingID: bbbMeetingId(meeting.tenantId, meeting.meetingID) });
        return { ...row, meetingID: textOf(response.meetingID), meetingName: textOf(response.meetingName), running: textOf(response.running) === 'true', participantCount: Number(textOf(response.participantCount)) || 0 };
      } catch (e) {
        const prefix = e instanceof BbbFailedError || e instanceof BbbTransportError ? `Failed to get meeting id=${meeting.meetingID} status` : 'Failed to get meetings list status';
        return { ...row, error: `${prefix}: ${errorText(e)}` };
      }
    });
    if (argv.json) return say(JSON.stringify(listed, null, 2));
    for (const m of listed) {
      if (m.error !== null) {
        warn(m.error);
        continue;
      }
      say('');
      say(`MeetingID: ${m.meetingID}`);
      say(`\tServer ID: ${m.serverId}`);
      say(`\tServer Url: ${m.serverUrl}`);
    }
  },
};

// ------------------------------------------------------------------------------------------------ meetings:end

type EndArgs = TargetFlags & { IDS?: string; yes?: boolean };

/**
 * `slctl meetings:end [IDS] [--yes]`: after a `yes`, forgets the meetings and asks their servers to end them.
 * The ids are looked up first: an unknown one fails before the question, and with no meetings there is
 * nothing to ask. Any answer but `yes` ends nothing and exits 1. Each meeting is a step of a long task
 * (runBounded): through the admin function, a few hundred per invocation.
 */
export const meetingsEndCommand: CommandModule<object, EndArgs> = {
  command: 'meetings:end [IDS]',
  describe: 'End meetings on their servers (asks for `yes` first)',
  builder: (y) =>
    idsPositional(y, 'Only these').option('yes', { type: 'boolean', default: false, describe: 'Confirm without asking' }) as Argv<EndArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    // read once: a later slice of the task (cli/task-slice.ts) goes on with these, not with what is left
    const placed = await memo(() => findMeetings(deps, splitIds(argv.IDS)));
    if (placed.length === 0) {
      warn('No meetings to clear');
      say('OK');
      return;
    }
    say('WARNING: You are trying to clear active meetings.');
    if (argv.yes !== true) {
      say('If you still wish to continue please enter `yes`');
      const left = placed.length === 1 ? 'the meeting goes on' : `the ${placed.length} meetings go on`;
      if (!/^yes$/i.test((await readLine(process.stdin)) ?? '')) throw declined(`no meeting was ended, ${left}`);
    }
    await runBounded(deps, 'Ending meetings', placed, async ({ meeting, server }) => {
      await deps.store.meetings.delete(meeting, { serverId: meeting.serverId });
      try {
        if (!server) throw new Error(`Server ${meeting.serverId} not found`);
        await sendEnd(deps, server, meeting);
        warn(`Clearing Meeting id=${meeting.meetingID}`);
      } catch (e) {
        warn(`WARNING: Could not end meeting id=${meeting.meetingID}: ${errorText(e)}`);
      }
    });
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ meetings:info

type InfoArgs = TargetFlags & { MEETING_ID?: string; json?: boolean };

const METADATA_KEYS = [
  'bbb-context-name',
  'analytics-callback-url',
  'bbb-recording-tags',
  'bbb-origin-server-common-name',
  'bbb-context-label',
  'bbb-origin',
  'bbb-context',
  'bbb-context-id',
  'bbb-recording-name',
  'bbb-origin-server-name',
  'bbb-recording-description',
  'bbb-origin-tag',
];

/** `slctl meetings:info MEETING_ID`: what the meeting's server says about it (getMeetingInfo). */
export const meetingsInfoCommand: CommandModule<object, InfoArgs> = {
  command: 'meetings:info [MEETING_ID]',
  describe: 'Show a meeting as its server reports it',
  builder: (y) =>
    y
      .positional('MEETING_ID', { type: 'string', describe: 'The meetingID (required)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON object instead' }) as Argv<InfoArgs>,
  handler: async (argv) => {
    const id = argv.MEETING_ID;
    if (!id) throw usageError('Error: Please input a meetingID!');
    const deps = await cliDeps(process.env, argv);
    const couldNot = (reason: string, exitCode: number) => new CliError(`WARNING: Could not get info for meeting id=${id}: ${reason}`, exitCode);
    const meeting = await deps.store.meetings.getByKey(id, deps.clock());
    if (!meeting) throw couldNot(meetingNotFound(id).message.replace(/^ERROR: /, ''), 1);
    const server = await deps.store.servers.get(meeting.serverId);
    if (!server) throw couldNot(`Server ${meeting.serverId} not found`, 1);
    let response: Record<string, unknown>;
    try {
      ({ response } = await callBbb(deps, server, 'getMeetingInfo', { meetingID: bbbMeetingId(meeting.tenantId, meeting.meetingID) }));
    } catch (e) {
      throw couldNot(errorText(e), 0); // Scalelite only warns
    }
    const raw = response.metadata && typeof response.metadata === 'object' ? (response.metadata as Record<string, unknown>) : {};
    const metadata = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, textOf(v)]));
    const info = {
      meetingID: textOf(response.meetingID),
      meetingName: textOf(response.meetingName),
      internalMeetingID: textOf(response.internalMeetingID),
      createDate: textOf(response.createDate),
      recording: textOf(response.recording),
      running: textOf(response.running) === 'true',
      participantCount: Number(textOf(response.participantCount)) || 0,
      moderatorCount: Number(textOf(response.moderatorCount)) || 0,
      serverId: server.id,
      serverUrl: server.url,
      metadata,
    };
    if (argv.json) return say(JSON.stringify(info, null, 2));
    say('');
    say(`Meeting ID: ${info.meetingID}`);
    say(`\tMeeting Name: ${info.meetingName}`);
    say(`\tInternal MeetingID: ${info.internalMeetingID}`);
    say(`\tCreated Date: ${info.createDate}`);
    say(`\tRecording Enabled: ${info.recording}`);
    say(`\tServer id: ${server.id}`);
    say(`\tSerevr url: ${server.url}`); // sic: Scalelite's label, kept for scripts that read it
    say('\tMetaData:');
    for (const key of METADATA_KEYS) say(`\t\t${key}: ${metadata[key] ?? ''}`);
  },
};

export const meetingCommands = [meetingsListCommand, meetingsEndCommand, meetingsInfoCommand];
