import type { Argv, CommandModule } from 'yargs';
import { AdminError } from '../../shared/app/admin-error.js';
import type { Deps } from '../../shared/app/deps.js';
import {
  addTenant,
  addTenantSetting,
  findTenant,
  parseOverride,
  removeTenant,
  removeTenantSetting,
  setTenantLrs,
  tenantMeetingCount,
  updateTenant,
} from '../../shared/app/tenant-admin.js';
import { BALANCER_SETTING_PREFIX, BALANCER_SETTINGS, RECORDING_RETENTION_SETTING } from '../../shared/domain/balancer-settings.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { parseLimit } from '../../shared/domain/tenant-limits.js';
import { setTenantLimits, type LimitChanges } from '../../shared/app/tenant-limits.js';
import { CliError, usageError } from '../cli-error.js';
import { readLine, say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

/** A rake argument that is given and not blank (Rails' `present?`). */
const present = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== '' ? v : undefined);

/** The deps of a tenant task; like Scalelite, refuses to run unless multitenancy is on. */
async function tenantDeps(argv: TargetFlags): Promise<Deps> {
  const deps = await cliDeps(process.env, argv);
  if (!deps.config.multitenancyEnabled) throw new CliError('Multitenancy is disabled, task can not be completed', 1);
  return deps;
}

const tenantNotFound = (id: string) => new CliError(`Tenant with id ${id} does not exist in the system. Exiting...`, 1);

/** Runs a use case; its refusals become one-line errors (exit 1), an unknown tenant gets Scalelite's friendly sentence. */
async function run<T>(f: () => Promise<T>, notFound: (e: AdminError) => CliError): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof AdminError)) throw e;
    throw e.kind === 'notFound' ? notFound(e) : new CliError(`Error: ${e.message}`, 1);
  }
}

function requireHttpUrl(name: string, value: string): void {
  if (!/^https?:\/\/\S+$/.test(value)) throw new CliError(`Error: ${name} must start with http:// or https://`, 1);
}

const LRS_LINES: [keyof Tenant, string][] = [
  ['lrsEndpoint', 'lrs_endpoint'],
  ['lrsUsername', 'lrs_username'],
  ['lrsPassword', 'lrs_password'],
  ['kcTokenUrl', 'kc_token_url'],
  ['kcClientId', 'kc_client_id'],
  ['kcClientSecret', 'kc_client_secret'],
  ['kcUsername', 'kc_username'],
  ['kcPassword', 'kc_password'],
];

/** Credentials of the tenant's LRS and Keycloak: shown as set, never printed (they are nobody's to read back). */
const HIDDEN: ReadonlySet<keyof Tenant> = new Set<keyof Tenant>(['lrsPassword', 'kcClientSecret', 'kcPassword']);
export const HIDDEN_VALUE = '*****';

/**
 * One tenant in the format of Scalelite's `rake tenants` (detail lines start with one TAB); the LRS and
 * Keycloak passwords and client secret as `*****` (Scalelite prints them). The BBB secrets stay: front-ends need them.
 */
export function formatTenant(t: Tenant): string {
  const lines = [`id: ${t.id}`, `\tname: ${t.name}`, `\tsecrets: ${t.secrets.join(':')}`];
  for (const [field, label] of LRS_LINES) if (t[field]) lines.push(`\t${label}: ${HIDDEN.has(field) ? HIDDEN_VALUE : (t[field] as string)}`);
  if (t.maxMeetings !== undefined) lines.push(`\tmax_meetings: ${t.maxMeetings}`);
  if (t.maxParticipants !== undefined) lines.push(`\tmax_participants: ${t.maxParticipants}`);
  return lines.join('\n');
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// ------------------------------------------------------------------------------------------------ tenants

/** `slctl tenants`: every tenant (by name) and the total. */
export const tenantsCommand: CommandModule<object, TargetFlags> = {
  command: 'tenants',
  describe: 'List the tenants (multitenancy)',
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const tenants = (await deps.store.tenants.listAll()).sort(byName);
    for (const t of tenants) say(formatTenant(t));
    say(`Total number of tenants: ${tenants.length}`);
  },
};

// ------------------------------------------------------------------------------------------------ tenants:add

type AddArgs = TargetFlags & { NAME?: string; SECRETS?: string };

/** `slctl tenants:add NAME SECRETS`: a tenant reached at `NAME.<URL_HOST>`; names are unique. */
export const tenantsAddCommand: CommandModule<object, AddArgs> = {
  command: 'tenants:add [NAME] [SECRETS]',
  describe: 'Add a tenant (its API is at NAME.<URL_HOST>)',
  builder: (y) =>
    y
      .positional('NAME', { type: 'string', describe: 'Unique tenant name, a DNS label: the first label of its host (required)' })
      .positional('SECRETS', { type: 'string', describe: 'Checksum secrets of its BBB API, `:`-separated (required)' })
      .example('$0 tenants:add tenant1 s3cr3t:0ld-s3cr3t', '')
      .example("$0 'tenants:add[tenant1,s3cr3t]'", 'rake form') as Argv<AddArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const name = present(argv.NAME);
    const secrets = present(argv.SECRETS);
    if (!name || !secrets) throw new CliError('Error: both name and secrets are required to create a Tenant', 1);
    const tenant = await run(() => addTenant(deps, name, secrets), (e) => new CliError(`Error: ${e.message}`, 1));
    say('OK');
    say(`New Tenant id: ${tenant.id}`);
  },
};

// ------------------------------------------------------------------------------------------------ tenants:update

type UpdateArgs = TargetFlags & { ID?: string; NAME?: string; SECRETS?: string };

/** `slctl tenants:update ID [NAME] [SECRETS]`: renames and/or replaces the secrets (an empty argument keeps the value). */
export const tenantsUpdateCommand: CommandModule<object, UpdateArgs> = {
  command: 'tenants:update [ID] [NAME] [SECRETS]',
  describe: 'Rename a tenant and/or replace its secrets',
  builder: (y) =>
    y
      .positional('ID', { type: 'string', describe: 'Tenant id (as shown by `slctl tenants`)' })
      .positional('NAME', { type: 'string', describe: 'New name (empty: unchanged)' })
      .positional('SECRETS', { type: 'string', describe: 'New secrets, `:`-separated (empty: unchanged)' })
      .example("$0 'tenants:update[ID,,new-s3cr3t]'", 'rake form: new secrets, same name') as Argv<UpdateArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const id = present(argv.ID);
    const name = present(argv.NAME);
    const secrets = present(argv.SECRETS);
    if (!id || (!name && !secrets)) throw new CliError('Error: id and either name or secrets are required to update a Tenant', 1);
    const tenant = await run(() => updateTenant(deps, id, { name, secrets }), () => tenantNotFound(id));
    say('OK');
    say(`Updated Tenant id: ${tenant.id}`);
  },
};

// ------------------------------------------------------------------------------------------------ tenants:update_lrs_basic / _kc

type LrsBasicArgs = TargetFlags & { ID?: string; LRS_ENDPOINT?: string; LRS_USERNAME?: string; LRS_PASSWORD?: string };

/** `slctl tenants:update_lrs_basic ID LRS_ENDPOINT LRS_USERNAME LRS_PASSWORD`: xAPI with basic auth (replaces Keycloak credentials). */
export const tenantsUpdateLrsBasicCommand: CommandModule<object, LrsBasicArgs> = {
  command: 'tenants:update_lrs_basic [ID] [LRS_ENDPOINT] [LRS_USERNAME] [LRS_PASSWORD]',
  describe: "Set a tenant's LRS (xAPI) endpoint with basic-auth credentials",
  builder: (y) =>
    y
      .positional('ID', { type: 'string', describe: 'Tenant id' })
      .positional('LRS_ENDPOINT', { type: 'string', describe: 'LRS (xAPI) endpoint URL' })
      .positional('LRS_USERNAME', { type: 'string', describe: 'LRS user name' })
      .positional('LRS_PASSWORD', { type: 'string', describe: 'LRS password' }) as Argv<LrsBasicArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const [id, lrsEndpoint, lrsUsername, lrsPassword] = [argv.ID, argv.LRS_ENDPOINT, argv.LRS_USERNAME, argv.LRS_PASSWORD].map(present);
    if (!id || !lrsEndpoint || !lrsUsername || !lrsPassword) {
      throw new CliError('Error: id, LRS_ENDPOINT, LRS_USERNAME, LRS_PASSWORD are required to update a Tenant', 1);
    }
    requireHttpUrl('LRS_ENDPOINT', lrsEndpoint);
    const tenant = await run(() => setTenantLrs(deps, id, { lrsEndpoint, lrsUsername, lrsPassword }), () => tenantNotFound(id));
    say('OK');
    say(`Updated Tenant id: ${tenant.id}`);
  },
};

type LrsKcArgs = TargetFlags & {
  ID?: string;
  LRS_ENDPOINT?: string;
  KC_TOKEN_URL?: string;
  KC_CLIENT_ID?: string;
  KC_CLIENT_SECRET?: string;
  KC_USERNAME?: string;
  KC_PASSWORD?: string;
};

/** `slctl tenants:update_lrs_kc ID LRS_ENDPOINT KC_TOKEN_URL KC_CLIENT_ID KC_CLIENT_SECRET KC_USERNAME KC_PASSWORD`. */
export const tenantsUpdateLrsKcCommand: CommandModule<object, LrsKcArgs> = {
  command: 'tenants:update_lrs_kc [ID] [LRS_ENDPOINT] [KC_TOKEN_URL] [KC_CLIENT_ID] [KC_CLIENT_SECRET] [KC_USERNAME] [KC_PASSWORD]',
  describe: "Set a tenant's LRS (xAPI) endpoint with a Keycloak token (password grant)",
  builder: (y) =>
    y
      .positional('ID', { type: 'string', describe: 'Tenant id' })
      .positional('LRS_ENDPOINT', { type: 'string', describe: 'LRS (xAPI) endpoint URL' })
      .positional('KC_TOKEN_URL', { type: 'string', describe: 'Keycloak token endpoint URL' })
      .positional('KC_CLIENT_ID', { type: 'string', describe: 'Keycloak client id' })
      .positional('KC_CLIENT_SECRET', { type: 'string', describe: 'Keycloak client secret' })
      .positional('KC_USERNAME', { type: 'string', describe: 'Keycloak user name' })
      .positional('KC_PASSWORD', { type: 'string', describe: 'Keycloak password' }) as Argv<LrsKcArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const values = [argv.ID, argv.LRS_ENDPOINT, argv.KC_TOKEN_URL, argv.KC_CLIENT_ID, argv.KC_CLIENT_SECRET, argv.KC_USERNAME, argv.KC_PASSWORD].map(present);
    const [id, lrsEndpoint, kcTokenUrl, kcClientId, kcClientSecret, kcUsername, kcPassword] = values;
    if (values.some((v) => v === undefined)) {
      throw new CliError('Error: LRS_ENDPOINT, KC_TOKEN_URL, KC_CLIENT_ID, KC_CLIENT_SECRET, KC_USERNAME, KC_PASSWORD are required to update a Tenant', 1);
    }
    requireHttpUrl('LRS_ENDPOINT', lrsEndpoint!);
    requireHttpUrl('KC_TOKEN_URL', kcTokenUrl!);
    const tenant = await run(
      () => setTenantLrs(deps, id!, { lrsEndpoint: lrsEndpoint!, kcTokenUrl, kcClientId, kcClientSecret, kcUsername, kcPassword }),
      () => tenantNotFound(id!),
    );
    say('OK');
    say(`Updated Tenant id: ${tenant.id}`);
  },
};

// ------------------------------------------------------------------------------------------------ tenants:limits

type LimitsArgs = TargetFlags & { ID?: string; 'max-meetings'?: string; 'max-participants'?: string };

/** A `--max-…` value: a whole number 0…MAX_LIMIT (0 = none); anything else is a usage error. */
function limitOption(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const parsed = parseLimit(String(value));
  if (parsed === undefined) throw usageError(`Error: --${name} must be a whole number from 0 (no limit) to 10000, not ${JSON.stringify(String(value))}`);
  return parsed;
}

/**
 * `slctl tenants:limits ID [--max-meetings N] [--max-participants N]`: the tenant's plan — concurrent
 * meetings and participants (0 = no limit; an option left out keeps its value).
 */
export const tenantsLimitsCommand: CommandModule<object, LimitsArgs> = {
  command: 'tenants:limits [ID]',
  describe: "Set a tenant's limits: concurrent meetings and participants (0 = none)",
  builder: (y) =>
    y
      .positional('ID', { type: 'string', describe: 'Tenant id (as shown by `slctl tenants`)' })
      .option('max-meetings', { type: 'string', describe: 'Concurrent meetings; a create of one more answers maxMeetingsReached (0 = no limit)' })
      .option('max-participants', { type: 'string', describe: 'Concurrent participants over all its meetings; one more join answers maxParticipantsReached (0 = no limit)' })
      .example('$0 tenants:limits ID --max-meetings 10 --max-participants 250', 'a plan of 10 rooms and 250 users')
      .example('$0 tenants:limits ID --max-participants 0', 'remove the participant limit, keep the other') as Argv<LimitsArgs>,
  handler: async (argv) => {
    const id = present(argv.ID);
    if (!id) throw usageError('Error: id is required to set the limits of a Tenant');
    const changes: LimitChanges = { maxMeetings: limitOption('max-meetings', argv['max-meetings']), maxParticipants: limitOption('max-participants', argv['max-participants']) };
    if (changes.maxMeetings === undefined && changes.maxParticipants === undefined) throw usageError('Error: give --max-meetings and/or --max-participants (0 = no limit)');
    const deps = await tenantDeps(argv);
    const tenant = await run(() => setTenantLimits(deps, id, changes), () => tenantNotFound(id));
    say('OK');
    say(formatTenant(tenant));
  },
};

// ------------------------------------------------------------------------------------------------ tenants:remove

type RemoveArgs = TargetFlags & { ID?: string; yes?: boolean };

/**
 * `slctl tenants:remove ID [--yes]`: removes the tenant with its name and settings. A tenant with live
 * meetings asks for `yes` first (its host stops answering for them); `--yes` for scripts.
 */
export const tenantsRemoveCommand: CommandModule<object, RemoveArgs> = {
  command: 'tenants:remove [ID]',
  describe: 'Remove a tenant and its settings (asks first when it has meetings)',
  builder: (y) =>
    y
      .positional('ID', { type: 'string', describe: 'Tenant id (as shown by `slctl tenants`)' })
      .option('yes', { type: 'boolean', default: false, describe: 'Confirm without asking (removes a tenant that has meetings)' }) as Argv<RemoveArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const id = present(argv.ID);
    if (!id) throw new CliError('Error: id is required to remove a Tenant', 1);
    const tenant = await run(() => findTenant(deps, id), () => tenantNotFound(id));
    const meetings = await tenantMeetingCount(deps, id);
    if (meetings > 0) {
      say(`WARNING: Tenant ${tenant.name} (id ${id}) has ${meetings} meeting${meetings === 1 ? '' : 's'} running. They go on on their`);
      say(`          servers, but ${tenant.name}'s API will no longer answer for them.`);
      if (!argv.yes) {
        say('If you still wish to continue please enter `yes`');
        const answer = await readLine(process.stdin);
        if (answer === undefined || !/^yes$/i.test(answer.trim())) throw new CliError('Tenant was not removed.', 1);
      }
    }
    await run(() => removeTenant(deps, id), () => tenantNotFound(id));
    say('Tenant was successfully deleted.');
  },
};

// ------------------------------------------------------------------------------------------------ tenantSettings

/** `slctl tenantSettings`: every tenant's settings. */
export const tenantSettingsCommand: CommandModule<object, TargetFlags> = {
  command: 'tenantSettings',
  describe: "List the tenants' default and override parameters",
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    for (const tenant of (await deps.store.tenants.listAll()).sort(byName)) {
      say(`Tenant: ${tenant.name}`);
      if (tenant.settings.length === 0) warn('  No custom settings are configured');
      for (const s of tenant.settings) say([`  id: ${s.id}`, `\tparam: ${s.param}`, `\tvalue: ${s.value}`, `\toverride: ${s.override}`].join('\n'));
    }
  },
};

type SettingAddArgs = TargetFlags & { TENANT_ID?: string; PARAM?: string; VALUE?: string; OVERRIDE?: string };

/**
 * `slctl tenantSettings:add TENANT_ID PARAM VALUE OVERRIDE`: a create/join parameter for a tenant, or a
 * setting of the balancer (`lb_…`, never sent to BBB): an unknown `lb_` name or a bad value is refused.
 */
export const tenantSettingsAddCommand: CommandModule<object, SettingAddArgs> = {
  command: 'tenantSettings:add [TENANT_ID] [PARAM] [VALUE] [OVERRIDE]',
  describe: 'Add a default (OVERRIDE=false) or override (OVERRIDE=true) create/join parameter for a tenant',
  builder: (y) =>
    y
      .positional('TENANT_ID', { type: 'string', describe: 'Tenant id' })
      .positional('PARAM', { type: 'string', describe: 'BBB create/join parameter, e.g. record or meta_server-tag; or a balancer setting (lb_…, see below)' })
      .positional('VALUE', { type: 'string', describe: 'Its value' })
      .positional('OVERRIDE', { type: 'string', describe: 'true: always wins; false: only when the client does not send it (either for lb_ settings)' })
      .example("$0 'tenantSettings:add[ID,record,false,true]'", 'rake form')
      .example(`$0 tenantSettings:add ID ${RECORDING_RETENTION_SETTING} 365 false`, 'recordings deleted a year after they started')
      .epilogue(
        [
          `Settings whose name starts with ${BALANCER_SETTING_PREFIX} configure the balancer and are never sent to BBB:`,
          ...Object.entries(BALANCER_SETTINGS).flatMap(([name, spec]) => [`  ${name}`, `      ${spec.describe}`]),
        ].join('\n'),
      ) as Argv<SettingAddArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const [tenantId, param, value, overrideText] = [argv.TENANT_ID, argv.PARAM, argv.VALUE, argv.OVERRIDE].map(present);
    if (!tenantId || !param || !value || !overrideText) {
      throw new CliError('Error: tenant_id, param, value and override are required to create a TenantSetting', 1);
    }
    const override = parseOverride(overrideText);
    if (override === undefined) throw new CliError(`Error: override must be true or false, not ${overrideText}`, 1);
    const setting = await run(() => addTenantSetting(deps, { tenantId, param, value, override }), () => tenantNotFound(tenantId));
    say('OK');
    say(`New TenantSetting id: ${setting.id}`);
  },
};

type SettingRemoveArgs = TargetFlags & { ID?: string };

/** `slctl tenantSettings:remove ID`. */
export const tenantSettingsRemoveCommand: CommandModule<object, SettingRemoveArgs> = {
  command: 'tenantSettings:remove [ID]',
  describe: 'Remove a tenant setting',
  builder: (y) => y.positional('ID', { type: 'string', describe: 'Setting id (as shown by `slctl tenantSettings`)' }) as Argv<SettingRemoveArgs>,
  handler: async (argv) => {
    const deps = await tenantDeps(argv);
    const id = present(argv.ID);
    if (!id) throw new CliError('Error: id is required to remove a TenantSetting', 1);
    await run(() => removeTenantSetting(deps, id), () => new CliError(`TenantSetting with id ${id} does not exist in the system. Exiting...`, 1));
    say('TenantSetting was successfully deleted.');
  },
};

export const tenantCommands = [
  tenantsCommand,
  tenantsAddCommand,
  tenantsUpdateCommand,
  tenantsUpdateLrsBasicCommand,
  tenantsUpdateLrsKcCommand,
  tenantsLimitsCommand,
  tenantsRemoveCommand,
  tenantSettingsCommand,
  tenantSettingsAddCommand,
  tenantSettingsRemoveCommand,
];
