import { ApiError, errors } from '../domain/api-error.js';
import { verifyRequestChecksum } from '../domain/post-checksum.js';
import { relayAnalyticsCallback } from '../app/analytics-callback.js';
import { createMeeting, type CallResult } from '../app/create-meeting.js';
import type { Deps } from '../app/deps.js';
import { getMeetings } from '../app/get-meetings.js';
import { deleteRecordings } from '../app/delete-recordings.js';
import { getRecordings } from '../app/get-recordings.js';
import { publishRecordings } from '../app/publish-recordings.js';
import { updateRecordings } from '../app/update-recordings.js';
import { endMeeting, getMeetingInfo, insertDocument, isMeetingRunning, joinMeeting } from '../app/meeting-calls.js';
import type { TenantWithSettings } from '../store/tenant-repo.js';
import type { ContentKind, IncomingRequest, RequestInput } from './request-input.js';
import { tenantNameFromHost } from './tenant-host.js';
import { indexXml, NO_RECORDINGS_XML } from './xml-responses.js';
import { NO_MEETINGS_XML } from '../app/get-meetings.js';

export type ApiAnswer = { kind: 'xml'; xml: string } | { kind: 'redirect'; location: string } | { kind: 'empty'; status: 204 };

export interface Outcome {
  answer: ApiAnswer;
  meetingID?: string;
  serverId?: string;
  tenantId?: string;
  /** what happened, for the request log (e.g. the analytics relay's outcome) */
  detail?: string;
}

type BodyRule = 'form' | 'create' | 'xml' | 'any';

interface Route {
  methods: readonly string[];
  body: BodyRule;
  /** false: no checksum (index, disabled variants, analytics_callback) */
  checksum: boolean;
  /** multitenant mode: the host must name a tenant (all but index and the disabled variants) */
  tenant: boolean;
  run: (deps: Deps, req: RequestInput, tenant: TenantWithSettings | undefined) => Promise<Outcome>;
}

const xml = (result: CallResult | string): Outcome =>
  typeof result === 'string' ? { answer: { kind: 'xml', xml: result } } : { answer: { kind: 'xml', xml: result.xml }, meetingID: result.meetingID, serverId: result.serverId };

const GET_POST = ['GET', 'POST'] as const;

/** The parameters of an analytics callback: its JSON body (BBB posts JSON) or form body, and the query. */
function callbackParams(req: RequestInput): Record<string, unknown> {
  let body: Record<string, unknown> = {};
  if (req.kind === 'json' || (req.kind !== 'form' && req.body.trim().startsWith('{'))) {
    try {
      const parsed = JSON.parse(req.body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // not JSON: only the query parameters
    }
  }
  const query: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of req.params) query[k] = v;
  return { ...query, ...body };
}

/** The BBB API of reference §1.1. */
function routes(deps: Deps): Record<string, Route> {
  const recordingsDisabled: Route['run'] = async () => {
    throw errors.recordingsNotFound();
  };
  const checked = (methods: readonly string[], body: BodyRule, run: Route['run']): Route => ({ methods, body, checksum: true, tenant: true, run });
  const open = (methods: readonly string[], body: BodyRule, run: Route['run']): Route => ({ methods, body, checksum: false, tenant: false, run });
  return {
    '': open(GET_POST, 'form', async () => xml(indexXml(deps.config.buildNumber))),
    isMeetingRunning: checked(GET_POST, 'form', async (d, r, t) => xml(await isMeetingRunning(d, r.params, t))),
    getMeetingInfo: checked(GET_POST, 'form', async (d, r, t) => xml(await getMeetingInfo(d, r.params, t))),
    getMeetings: deps.config.getMeetingsApiDisabled
      ? open(GET_POST, 'form', async () => xml(NO_MEETINGS_XML))
      : checked(GET_POST, 'form', async (d, _r, t) => xml(await getMeetings(d, t?.id))),
    create: checked(GET_POST, 'create', async (d, r, t) =>
      xml(await createMeeting(d, { params: r.params, body: r.kind === 'xml' && r.hasBody ? r.body : undefined, tenant: t, origin: r.origin })),
    ),
    end: checked(GET_POST, 'form', async (d, r, t) => xml(await endMeeting(d, r.params, t))),
    join: checked(['GET'], 'any', async (d, r, t) => {
      const j = await joinMeeting(d, r.params, t);
      return { answer: { kind: 'redirect', location: j.location }, meetingID: j.meetingID, serverId: j.serverId };
    }),
    insertDocument: checked(['POST'], 'xml', async (d, r, t) => xml(await insertDocument(d, r.params, r.body, t))),
    analytics_callback: {
      methods: ['POST'],
      body: 'any',
      checksum: false,
      tenant: true,
      run: async (d, r, t) => {
        const relay = await relayAnalyticsCallback(d, { authorization: r.authorization, params: callbackParams(r), tenant: t });
        return { answer: { kind: 'empty', status: 204 }, meetingID: relay.meetingID, detail: relay.outcome };
      },
    },
    // RECORDING_DISABLED: Scalelite's disabled variants (no checksum, no tenant); else the recording calls, scoped to the host's tenant
    ...(deps.config.recordingDisabled
      ? {
          getRecordings: open(GET_POST, 'form', async () => xml(NO_RECORDINGS_XML)),
          publishRecordings: open(['GET'], 'any', recordingsDisabled),
          updateRecordings: open(GET_POST, 'form', recordingsDisabled),
          deleteRecordings: open(['GET'], 'any', recordingsDisabled),
        }
      : {
          getRecordings: checked(GET_POST, 'form', async (d, r, t) => xml(await getRecordings(d, { params: r.params, scope: t, origin: r.origin }))),
          publishRecordings: checked(['GET'], 'any', async (d, r, t) => xml(await publishRecordings(d, r.params, t))),
          updateRecordings: checked(GET_POST, 'form', async (d, r, t) => xml(await updateRecordings(d, r.params, t))),
          deleteRecordings: checked(['GET'], 'any', async (d, r, t) => xml(await deleteRecordings(d, r.params, t))),
        }),
  };
}

function bodyAllowed(rule: BodyRule, kind: ContentKind): boolean {
  const form = kind === 'form' || kind === 'multipart';
  if (rule === 'any') return true;
  if (rule === 'form') return form;
  if (rule === 'create') return form || kind === 'xml';
  return kind === 'xml';
}

export interface BbbApi {
  /**
   * Runs one BBB API call through the pipeline: method, content type, tenant, checksum, action. The body
   * is read only where it must be: a form body (urlencoded or multipart) before the checksum, which covers
   * its parameters (BBB's PostChecksum); any other body (a create's or insertDocument's XML) only after
   * the query's checksum passed — a request that fails it is answered without its body being read.
   */
  handle(call: string, req: IncomingRequest): Promise<Outcome>;
}

export function createBbbApi(deps: Deps): BbbApi {
  const table = routes(deps);
  const { config } = deps;
  return {
    async handle(call, incoming) {
      const route = Object.hasOwn(table, call) ? table[call] : undefined;
      if (!route || !route.methods.includes(incoming.method)) throw errors.unsupportedRequest();
      if (incoming.method === 'POST' && !bodyAllowed(route.body, incoming.kind) && (await incoming.hasBody())) throw errors.unsupportedContentType();
      let tenant: TenantWithSettings | undefined;
      if (config.multitenancyEnabled && route.tenant) {
        // the tenant's secrets are the only ones accepted; an unknown host fails like a bad checksum
        const name = tenantNameFromHost(incoming.host, config.urlHost);
        tenant = name === undefined ? undefined : await deps.registry.tenantByName(name);
        if (!tenant) throw errors.checksum();
      }
      if (route.checksum) {
        // the query and every form-body parameter (invariant 8); exactly one checksum, in either
        const ok = verifyRequestChecksum({
          apiName: call,
          rawQuery: incoming.rawQuery,
          bodyParams: await incoming.bodyParams(), // [] without a form body: nothing is read
          secrets: tenant ? tenant.secrets : config.loadbalancerSecrets,
          allowed: config.checksumAlgorithms,
        });
        if (!ok) throw errors.checksum();
      }
      const req = await incoming.complete();
      const outcome = await route.run(deps, req, tenant);
      return tenant ? { ...outcome, tenantId: tenant.id } : outcome;
    },
  };
}

export { ApiError };
