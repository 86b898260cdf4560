/**
 * Pure key builders of the single table. Every item has `pk`, `sk` and `type`;
 * GSI1 lists servers (`SERVERS`) and a server's meetings (`SERVER#<id>`); GSI2 lists meetings
 * by tenant (`MEETINGS#<tenant>` with `_` for no tenant), tenants with their settings (`TENANTS`) and
 * the callback URLs of a meetingID (`CALLBACK#<meetingID>`, on voice-bridge items).
 */
export const NO_TENANT = '_';

export const keys = {
  server: (id: string) => ({ pk: `SERVER#${id}`, sk: 'SERVER' }),
  serverIndex: (id: string) => ({ gsi1pk: 'SERVERS', gsi1sk: id }),
  serversPartition: () => 'SERVERS',

  /** meetings are keyed by the id their BBB server sees (`bbbMeetingId`): a tenant's are namespaced */
  meeting: (bbbId: string) => ({ pk: `MEETING#${bbbId}`, sk: 'MEETING' }),
  meetingByServer: (serverId: string, bbbId: string) => ({ gsi1pk: `SERVER#${serverId}`, gsi1sk: `MEETING#${bbbId}` }),
  meetingsOfServerPartition: (serverId: string) => `SERVER#${serverId}`,
  meetingByTenant: (tenantId: string | undefined, meetingID: string) => ({
    gsi2pk: `MEETINGS#${tenantId ?? NO_TENANT}`,
    gsi2sk: meetingID,
  }),
  /** a meeting's `<meeting>` snapshot: its own item, beside the meeting on the tenant's GSI2 partition */
  meetingInfo: (bbbId: string) => ({ pk: `MEETING#${bbbId}`, sk: 'INFO' }),
  meetingInfoByTenant: (tenantId: string | undefined, meetingID: string) => ({
    gsi2pk: `MEETINGS#${tenantId ?? NO_TENANT}`,
    gsi2sk: `${meetingID}#INFO`,
  }),
  meetingsOfTenantPartition: (tenantId: string | undefined) => `MEETINGS#${tenantId ?? NO_TENANT}`,

  voiceBridge: (number: string) => ({ pk: `VOICEBRIDGE#${number}`, sk: 'VOICEBRIDGE' }),
  /** GSI2 of a voice-bridge item that carries a meeting's callback URLs (they outlive the meeting record) */
  callbackIndex: (bbbId: string, number: string) => ({ gsi2pk: `CALLBACK#${bbbId}`, gsi2sk: number }),
  callbacksOfMeetingPartition: (bbbId: string) => `CALLBACK#${bbbId}`,

  tenant: (id: string) => ({ pk: `TENANT#${id}`, sk: 'TENANT' }),
  tenantIndex: (id: string) => ({ gsi2pk: 'TENANTS', gsi2sk: id }),
  tenantName: (name: string) => ({ pk: `TENANTNAME#${name}`, sk: 'TENANTNAME' }),
  tenantSetting: (tenantId: string, settingId: string) => ({ pk: `TENANT#${tenantId}`, sk: `SETTING#${settingId}` }),
  /** settings sit beside their tenant on GSI2, so one Query of `TENANTS` returns every tenant and setting */
  tenantSettingIndex: (tenantId: string, settingId: string) => ({ gsi2pk: 'TENANTS', gsi2sk: `${tenantId}#SETTING#${settingId}` }),
  tenantPartition: (id: string) => `TENANT#${id}`,
  tenantsPartition: () => 'TENANTS',
  /** a limited tenant's counters (tenant limits): the set of meetings it runs, and its participants */
  tenantMeetingLoad: (tenantId: string) => ({ pk: `TENANTLOAD#${tenantId}`, sk: 'MEETINGS' }),
  tenantParticipantLoad: (tenantId: string) => ({ pk: `TENANTLOAD#${tenantId}`, sk: 'PARTICIPANTS' }),
  tenantLoadPartition: (tenantId: string) => `TENANTLOAD#${tenantId}`,

  /** a recording; its tenant's partitions: by meetingID (GSI1), by record id (GSI2), by start time (GSI3) */
  recording: (recordID: string) => ({ pk: `RECORDING#${recordID}`, sk: 'RECORDING' }),
  recordingByMeeting: (tenantId: string | undefined, meetingID: string, startTime: number, recordID: string) => ({
    gsi1pk: recordingsOfMeetingPartition(tenantId, meetingID),
    gsi1sk: `${startKey(startTime)}#${recordID}`,
  }),
  recordingsOfMeetingPartition: (tenantId: string | undefined, meetingID: string) => recordingsOfMeetingPartition(tenantId, meetingID),
  recordingById: (tenantId: string | undefined, recordID: string) => ({ gsi2pk: recordingsPartition(tenantId), gsi2sk: recordID }),
  recordingByStart: (tenantId: string | undefined, startTime: number, recordID: string) => ({ gsi3pk: recordingsPartition(tenantId), gsi3sk: `${startKey(startTime)}#${recordID}` }),
  /** GSI2 (by record id) and GSI3 (by start time) of a tenant's recordings */
  recordingsPartition: (tenantId: string | undefined) => recordingsPartition(tenantId),

  /** a protected recording's one-time playback token (getRecordings mints it, the play route deletes it) */
  playbackToken: (token: string) => ({ pk: `PLAYBACKTOKEN#${token}`, sk: 'PLAYBACKTOKEN' }),

  /** the usage ledger: one item per tenant (`_` for none) and UTC day (`YYYY-MM-DD`); a tenant's days are one Query */
  usageDay: (tenantId: string, day: string) => ({ pk: usagePartition(tenantId), sk: `DAY#${day}` }),
  usagePartition: (tenantId: string) => usagePartition(tenantId),
  usageDaySk: (day: string) => `DAY#${day}`,
  /** every tenant's days on GSI1 in one partition, by day then tenant: a date range of all tenants is one Query */
  usageDayIndex: (tenantId: string, day: string) => ({ gsi1pk: 'USAGE', gsi1sk: `${day}#${tenantId}` }),
  usageIndexPartition: () => 'USAGE',
  /** GSI1 sort-key bounds of the days `from` … `to` (inclusive): `#` < `$` and every tenant id sorts after `#` */
  usageIndexRange: (from: string, to: string) => ({ low: `${from}#`, high: `${to}$` }),

  /** the poll-cycle history: a ring of slots in one partition, slot = cycle mod POLL_HISTORY_SLOTS (poll-history-repo.ts) */
  pollHistorySlot: (slot: number) => ({ pk: 'POLLHISTORY', sk: `SLOT#${String(slot).padStart(2, '0')}` }),
  pollHistoryPartition: () => 'POLLHISTORY',
} as const;

function usagePartition(tenantId: string): string {
  return `USAGE#${tenantId}`;
}
function recordingsPartition(tenantId: string | undefined): string {
  return `RECORDINGS#${tenantId ?? NO_TENANT}`;
}
function recordingsOfMeetingPartition(tenantId: string | undefined, meetingID: string): string {
  return `RECORDINGS#${tenantId ?? NO_TENANT}#M#${meetingID}`;
}
/** Start times sort as text: 15 digits of epoch ms (0 when unknown). */
export const startKey = (startTime: number): string => String(Math.max(0, Math.floor(startTime))).padStart(15, '0');

export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';
/** recordings by start time, projecting only what listing and filtering need (RECORDING_LIST_ATTRIBUTES) */
export const GSI3 = 'gsi3';
/** the attributes GSI3 carries: a tenant's listing filters on them before reading whole recordings */
export const RECORDING_LIST_ATTRIBUTES = ['recordID', 'meetingID', 'state', 'startTime', 'metadata'];
