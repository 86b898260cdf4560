import { ApiError, errors } from '../domain/api-error.js';
import { verifyChecksum } from '../domain/checksum.js';
import { createMeeting, type CallResult } from '../app/create-meeting.js';
import type { Deps } from '../app/deps.js';
import { getMeetings } from '../app/get-meetings.js';
import { endMeeting, getMeetingInfo, insertDocument, isMeetingRunning, joinMeeting } from '../app/meeting-calls.js';
import type { ContentKind, RequestInput } from './request-input.js';
import { indexXml, NO_RECORDINGS_XML } from './xml-responses.js';
import { NO_MEETINGS_XML } from '../app/get-meetings.js';

export type ApiAnswer = { kind: 'xml'; xml: string } | { kind: 'redirect'; location: string };

export interface Outcome {
  answer: ApiAnswer;
  meetingID?: string;
  serverId?: string;
}

type BodyRule = 'form' | 'create' | 'xml' | 'any';

interface Route {
  methods: readonly string[];
  body: BodyRule;
  /** false: no checksum (index, disabled variants) */
  checksum: boolean;
  run: (deps: Deps, req: RequestInput) => Promise<Outcome>;
}

const xml = (result: CallResult | string): Outcome =>
  typeof result === 'string' ? { answer: { kind: 'xml', xml: result } } : { answer: { kind: 'xml', xml: result.xml }, meetingID: result.meetingID, serverId: result.serverId };

const GET_POST = ['GET', 'POST'] as const;

/** The BBB API of reference §1.1 (recordings answer as with RECORDING_DISABLED=true). */
function routes(deps: Deps): Record<string, Route> {
  const recordingsDisabled: Route['run'] = async () => {
    throw errors.recordingsNotFound();
  };
  return {
    '': { methods: GET_POST, body: 'form', checksum: false, run: async () => xml(indexXml(deps.config.buildNumber)) },
    isMeetingRunning: { methods: GET_POST, body: 'form', checksum: true, run: async (d, r) => xml(await isMeetingRunning(d, r.params)) },
    getMeetingInfo: { methods: GET_POST, body: 'form', checksum: true, run: async (d, r) => xml(await getMeetingInfo(d, r.params)) },
    getMeetings: deps.config.getMeetingsApiDisabled
      ? { methods: GET_POST, body: 'form', checksum: false, run: async () => xml(NO_MEETINGS_XML) }
      : { methods: GET_POST, body: 'form', checksum: true, run: async (d) => xml(await getMeetings(d)) },
    create: {
      methods: GET_POST,
      body: 'create',
      checksum: true,
      run: async (d, r) => xml(await createMeeting(d, { params: r.params, body: r.kind === 'xml' && r.hasBody ? r.body : undefined })),
    },
    end: { methods: GET_POST, body: 'form', checksum: true, run: async (d, r) => xml(await endMeeting(d, r.params)) },
    join: {
      methods: ['GET'],
      body: 'any',
      checksum: true,
      run: async (d, r) => {
        const j = await joinMeeting(d, r.params);
        return { answer: { kind: 'redirect', location: j.location }, meetingID: j.meetingID, serverId: j.serverId };
      },
    },
    insertDocument: { methods: ['POST'], body: 'xml', checksum: true, run: async (d, r) => xml(await insertDocument(d, r.params, r.body)) },
    getRecordings: { methods: GET_POST, body: 'form', checksum: false, run: async () => xml(NO_RECORDINGS_XML) },
    publishRecordings: { methods: ['GET'], body: 'any', checksum: false, run: recordingsDisabled },
    updateRecordings: { methods: GET_POST, body: 'form', checksum: false, run: recordingsDisabled },
    deleteRecordings: { methods: ['GET'], body: 'any', checksum: false, run: recordingsDisabled },
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
  /** Runs one BBB API call through the pipeline: method, content type, checksum, action. */
  handle(call: string, req: RequestInput): Promise<Outcome>;
}

export function createBbbApi(deps: Deps): BbbApi {
  const table = routes(deps);
  return {
    async handle(call, req) {
      const route = Object.hasOwn(table, call) ? table[call] : undefined;
      if (!route || !route.methods.includes(req.method)) throw errors.unsupportedRequest();
      if (req.method === 'POST' && req.hasBody && !bodyAllowed(route.body, req.kind)) throw errors.unsupportedContentType();
      if (route.checksum) {
        const checksum = req.params.get('checksum') ?? undefined;
        const ok = verifyChecksum({
          apiName: call,
          rawQuery: req.rawQuery,
          checksum,
          secrets: deps.config.loadbalancerSecrets,
          allowed: deps.config.checksumAlgorithms,
        });
        if (!ok) throw errors.checksum();
      }
      return route.run(deps, req);
    },
  };
}

export { ApiError };
