import type { Argv, CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import { mapBounded } from '../../shared/app/map-bounded.js';
import type { Recording } from '../../shared/domain/recording.js';
import { newestFirst, type RecordingFilter } from '../../shared/domain/recording-filters.js';
import { CliError } from '../cli-error.js';
import { renderTable, type Column } from '../status-table.js';
import { say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

/** Every state, no meta condition: the operator sees everything (getRecordings' `state=any`). */
const EVERYTHING: RecordingFilter = { meta: [] };
/** Recordings re-keyed at once by `recordings:addToTenant`. */
const LINK_CONCURRENCY = 16;

// ------------------------------------------------------------------------------------------------ recordings

type ListArgs = TargetFlags & { meeting?: string; tenant?: string; json?: boolean };

const COLUMNS: readonly Column[] = [
  { header: 'RECORD ID', align: 'left' },
  { header: 'MEETING ID', align: 'left' },
  { header: 'NAME', align: 'left' },
  { header: 'STATE', align: 'left' },
  { header: 'PUBLISHED', align: 'left' },
  { header: 'FORMATS', align: 'left' },
  { header: 'START', align: 'left' },
  { header: 'TENANT', align: 'left' },
];

/** `2023-11-14T22:13:20Z`; '' when unknown (0). */
const isoSecond = (ms: number) => (ms > 0 ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
const formatsOf = (r: Recording) => Object.keys(r.formats).sort();

/** `slctl recordings --json`: one object per recording, newest first (null = not known). */
export function recordingJson(r: Recording) {
  return {
    recordID: r.recordID,
    meetingID: r.meetingID,
    tenantId: r.tenantId ?? null,
    name: r.name,
    state: r.state ?? null,
    published: r.published,
    protected: r.protected,
    startTime: r.startTime,
    endTime: r.endTime,
    participants: r.participants ?? null,
    metadata: r.metadata,
    formats: formatsOf(r).map((type) => ({ type, url: r.formats[type].url, length: r.formats[type].length })),
  };
}

/**
 * The recordings of `--tenant` (or, without it, of no tenant and of every tenant in the table), of
 * `--meeting` when given: one Query per tenant (by meetingID on GSI1, else the tenant's GSI2 partition),
 * newest first. A recording whose tenant was removed shows with `--tenant <its id>` only.
 */
async function listRecordings(deps: Deps, opts: { tenant?: string; meeting?: string }): Promise<Recording[]> {
  const scopes: (string | undefined)[] = opts.tenant !== undefined ? [opts.tenant] : [undefined, ...(await deps.store.tenants.listAll()).map((t) => t.id)];
  const lists = await mapBounded(scopes, 8, (tenantId) =>
    opts.meeting !== undefined ? deps.store.recordings.byMeeting(tenantId, opts.meeting, EVERYTHING) : deps.store.recordings.list(tenantId, EVERYTHING),
  );
  return lists.flat().sort(newestFirst);
}

/** `slctl recordings [--meeting ID] [--tenant ID] [--json]`: the recordings as the balancer keeps them. */
export const recordingsCommand: CommandModule<object, ListArgs> = {
  command: 'recordings',
  describe: 'List the recordings (all states), newest first',
  builder: (y) =>
    y
      .option('meeting', { type: 'string', describe: "Only this meetingID's recordings (the front-end's meetingID)" })
      .option('tenant', { type: 'string', describe: "Only this tenant's recordings (tenant id; default: every tenant's and those without a tenant)" })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array instead' })
      .example('$0 recordings --meeting lecture-1', '')
      .example('$0 recordings --tenant 3f1c… --json', '') as Argv<ListArgs>,
  handler: async (argv) => {
    const tenant = argv.tenant?.trim() || undefined;
    const meeting = argv.meeting === undefined || argv.meeting === '' ? undefined : argv.meeting;
    const deps = await cliDeps(process.env, argv);
    const recordings = await listRecordings(deps, { tenant, meeting });
    if (argv.json) return say(JSON.stringify(recordings.map(recordingJson), null, 2));
    if (recordings.length === 0) return warn('No recordings found');
    const rows = recordings.map((r) => [r.recordID, r.meetingID, r.name, r.state ?? '', String(r.published), formatsOf(r).join(','), isoSecond(r.startTime), r.tenantId ?? '']);
    for (const line of renderTable(COLUMNS, rows)) say(line.trimEnd());
    say(`Total number of recordings: ${recordings.length}`);
  },
};

// ------------------------------------------------------------------------------------------------ recordings:addToTenant

type AddToTenantArgs = TargetFlags & { TENANT_ID?: string };

/**
 * `slctl recordings:addToTenant TENANT_ID` (reference §5.9): every recording without a tenant becomes the
 * tenant's — `tenantId` and metadata `tenant-id` set, its index keys moved to the tenant's partitions (one
 * conditional write per recording; one that gained a tenant meanwhile is left alone). Unlike Scalelite the
 * tenant must exist (a typo would hide the recordings from everyone), and a failure is not reported as
 * success. Safe to run again.
 */
export const recordingsAddToTenantCommand: CommandModule<object, AddToTenantArgs> = {
  command: 'recordings:addToTenant [TENANT_ID]',
  describe: 'Give every recording without a tenant to this tenant (multitenancy migration)',
  builder: (y) =>
    y
      .positional('TENANT_ID', { type: 'string', describe: 'Tenant id (as shown by `slctl tenants`; required)' })
      .example("$0 'recordings:addToTenant[3f1c…]'", 'rake form') as Argv<AddToTenantArgs>,
  handler: async (argv) => {
    const tenantId = argv.TENANT_ID?.trim();
    if (!tenantId) throw new CliError('No tenant ID was provided', 1);
    const deps = await cliDeps(process.env, argv);
    if (!(await deps.store.tenants.get(tenantId))) throw new CliError(`Tenant with id ${tenantId} does not exist in the system. Exiting...`, 1);
    const ids = await deps.store.recordings.idsWithoutTenant();
    const failed = (
      await mapBounded(ids, LINK_CONCURRENCY, async (recordID) => {
        try {
          await deps.store.recordings.update(recordID, (r) => (!r || r.tenantId !== undefined ? undefined : { ...r, tenantId, metadata: { ...r.metadata, 'tenant-id': tenantId } }));
          return false;
        } catch (e) {
          warn(`Error linking recording ${recordID} to tenant ${tenantId}: ${(e as Error).message}`);
          return true;
        }
      })
    ).filter(Boolean).length;
    if (failed > 0) throw new CliError(`Error: ${failed} of ${ids.length} recordings could not be linked to tenant ${tenantId}; run the task again`, 1);
    say(`All existing recordings have been successfully linked to tenant ${tenantId}`);
  },
};

export const recordingCommands = [recordingsCommand, recordingsAddToTenantCommand];
