import { createPrivateKey } from 'node:crypto';
import { ALL_ALGORITHMS, strongestAlgorithm, type Algorithm } from '../domain/checksum.js';
import { parseParamList, type Params } from '../domain/params.js';
import { ENV, type Env, type EnvName } from './env-names.js';

export interface Config {
  urlHost: string;
  loadbalancerSecrets: string[];
  checksumAlgorithms: Algorithm[];
  outgoingAlgorithm: Algorithm;
  multitenancyEnabled: boolean;
  /** take the request host from X-Forwarded-Host instead of Host */
  trustForwardedHost: boolean;
  /** ADMIN_SECRET split on `:` (empty: the admin API falls back to the LB secrets) */
  adminSecrets: string[];
  /** ADMIN_API_ENABLED: false → /scalelite/api/* answers as an unknown route */
  adminApiEnabled: boolean;
  /** callbacks may go to http and to non-public addresses (ALLOW_PRIVATE_CALLBACK_URLS; default: https, public only) */
  allowPrivateCallbackUrls: boolean;
  buildNumber: string;
  getMeetingsApiDisabled: boolean;
  recordingDisabled: boolean;
  recordingImportUnpublished: boolean;
  protectedRecordingsEnabled: boolean;
  getRecordingsApiFiltered: boolean;
  /** formats served at /<format>/<record_id>/… */
  recordingPlaybackFormats: string[];
  s3Bucket: string;
  /** '' = AWS (or the embedded S3 of `slctl serve`) */
  s3Endpoint: string;
  recordingUploadUrlTtl: number;
  /** minutes a protected recording's one-time token stays usable */
  protectedRecordingsTokenTimeout: number;
  /** minutes the access cookies of a protected recording stay valid */
  protectedRecordingsTimeout: number;
  /** minutes the access cookies of an unprotected recording stay valid */
  playbackCookieTimeout: number;
  /** the playback signing key: CloudFront key pair id + PEM (both '' = none configured) */
  cfKeyPairId: string;
  cfPrivateKeyPem: string;
  /** days after its start a recording is deleted by the retention job (0 = never) */
  recordingRetentionDays: number;
  /**
   * The HTTP Basic password (user `fsapi`) of POST /fsapi: FSAPI_PASSWORD, else the first LB secret; '' = set
   * empty on purpose: no authentication; undefined = neither is set: every request is refused.
   */
  fsapiPassword: string | undefined;
  /** minutes after which a dial-in call is hung up (0 = never) */
  fsapiMaxDuration: number;
  /** digits the dial-in IVR accepts as a PIN */
  voiceBridgeMin: number;
  voiceBridgeMax: number;
  maxMeetingDuration: number;
  createExcludeParams: string[];
  joinExcludeParams: string[];
  defaultCreateParams: Params;
  overrideCreateParams: Params;
  defaultJoinParams: Params;
  overrideJoinParams: Params;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  serverIdIsHostname: boolean;
  defaultMeetingTtl: number;
  pollInterval: number;
  pollerConcurrency: number;
  serverHealthyThreshold: number;
  serverUnhealthyThreshold: number;
  loadMinUserCount: number;
  loadJoinBufferTime: number;
  voiceBridgeLen: number;
  useExternalVoiceBridge: boolean;
  dynamodbTable: string;
  dynamodbEndpoint: string;
  port: number;
  bindHost: string;
  dataDir: string;
  registryTtl: number;
  logLevel: 'info' | 'warn' | 'error' | 'silent';
  /** METRICS_ENABLED */
  metricsEnabled: boolean;
  /** METRICS_NAMESPACE: the CloudWatch namespace (EMF) */
  metricsNamespace: string;
  /** METRICS_PER_SERVER: per-server gauges from the poller */
  metricsPerServer: boolean;
  /** METRICS_PER_TENANT: per-tenant gauges from the poller */
  metricsPerTenant: boolean;
  /** `meta_server-tag` from DEFAULT_CREATE_PARAMS / OVERRIDE_CREATE_PARAMS (removed from those lists). */
  defaultCreateServerTag?: string;
  overrideCreateServerTag?: string;
}

/** A bad environment value; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function reader(env: Env) {
  const raw = (name: EnvName): string => {
    const value = env[name];
    return value === undefined ? ENV[name].default : value;
  };
  const bool = (name: EnvName) => raw(name).trim().toLowerCase() === 'true';
  const number = (name: EnvName, opts: { min?: number; max?: number; integer?: boolean } = {}): number => {
    const text = raw(name).trim() === '' ? ENV[name].default : raw(name).trim();
    const value = Number(text);
    if (!Number.isFinite(value)) throw new ConfigError(name, `"${raw(name)}" is not a number`);
    if (opts.integer && !Number.isInteger(value)) throw new ConfigError(name, `"${raw(name)}" is not a whole number`);
    if (opts.min !== undefined && value < opts.min) throw new ConfigError(name, `${value} is below the minimum ${opts.min}`);
    if (opts.max !== undefined && value > opts.max) throw new ConfigError(name, `${value} is above the maximum ${opts.max}`);
    return value;
  };
  const list = (name: EnvName) =>
    raw(name)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const paramList = (name: EnvName): Params => {
    try {
      const params = parseParamList(raw(name));
      params.delete('meta_server-tag');
      return params;
    } catch (e) {
      throw new ConfigError(name, (e as Error).message);
    }
  };
  const serverTagOf = (name: EnvName): string | undefined => {
    try {
      return parseParamList(raw(name)).get('meta_server-tag') ?? undefined;
    } catch {
      return undefined;
    }
  };
  /** The trimmed value, or the default when the variable is unset or blank. */
  const text = (name: EnvName): string => raw(name).trim() || ENV[name].default;
  return { raw, bool, number, list, paramList, serverTagOf, text };
}

function parseAlgorithms(text: string): Algorithm[] {
  const names = text.split(':').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !(ALL_ALGORITHMS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new ConfigError('LOADBALANCER_CHECKSUM_ALGORITHM', `unknown algorithm ${unknown.join(', ')} (choose from ${ALL_ALGORITHMS.join(':')})`);
  }
  if (names.length === 0) throw new ConfigError('LOADBALANCER_CHECKSUM_ALGORITHM', 'lists no algorithm');
  return names as Algorithm[];
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/[^\s/]/i.test(text) || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The most CONNECT_TIMEOUT + RESPONSE_TIMEOUT may add up to: one BBB call of a request, with room left in
 * the request's deadline (REQUEST_DEADLINE_MS, under API Gateway's 30 s) for the calls before it.
 */
export const MAX_CALL_MS = 20_000;

/** Reads the environment once into a typed Config; a bad value throws a ConfigError naming it. */
export function parseConfig(env: Env): Config {
  const r = reader(env);
  const secrets: string[] = [];
  if (r.raw('LOADBALANCER_SECRET') !== '') secrets.push(r.raw('LOADBALANCER_SECRET'));
  if (r.raw('LOADBALANCER_SECRETS') !== '') secrets.push(...r.raw('LOADBALANCER_SECRETS').split(':').filter((s) => s !== ''));
  const algorithmsText = r.raw('LOADBALANCER_CHECKSUM_ALGORITHM').trim() === '' ? ENV.LOADBALANCER_CHECKSUM_ALGORITHM.default : r.raw('LOADBALANCER_CHECKSUM_ALGORITHM');
  const checksumAlgorithms = parseAlgorithms(algorithmsText);
  r.number('POLLER_THREADS', { min: 1, integer: true }); // read for compatibility; POLLER_CONCURRENCY bounds our poller
  const concurrencyText = r.raw('POLLER_CONCURRENCY').trim();
  const logLevel = r.text('LOG_LEVEL').toLowerCase();
  if (!['info', 'warn', 'error', 'silent'].includes(logLevel)) throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not one of info, warn, error, silent`);
  const table = r.text('DYNAMODB_TABLE');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new ConfigError('DYNAMODB_TABLE', `"${table}" is not a valid table name`);
  const endpoint = r.raw('DYNAMODB_ENDPOINT').trim();
  if (endpoint !== '' && !isHttpUrl(endpoint)) throw new ConfigError('DYNAMODB_ENDPOINT', `"${endpoint}" is not an http(s) URL`);
  const s3Bucket = r.text('S3_BUCKET_NAME');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3Bucket)) throw new ConfigError('S3_BUCKET_NAME', `"${s3Bucket}" is not a valid bucket name`);
  const s3Endpoint = r.raw('S3_ENDPOINT').trim();
  if (s3Endpoint !== '' && !isHttpUrl(s3Endpoint)) throw new ConfigError('S3_ENDPOINT', `"${s3Endpoint}" is not an http(s) URL`);
  const connectTimeoutMs = Math.round(r.number('CONNECT_TIMEOUT', { min: 0.05 }) * 1000);
  const responseTimeoutMs = Math.round(r.number('RESPONSE_TIMEOUT', { min: 0.05 }) * 1000);
  if (connectTimeoutMs + responseTimeoutMs > MAX_CALL_MS) {
    throw new ConfigError('RESPONSE_TIMEOUT', `CONNECT_TIMEOUT + RESPONSE_TIMEOUT is ${(connectTimeoutMs + responseTimeoutMs) / 1000} s; at most ${MAX_CALL_MS / 1000} s fit in a request (API Gateway ends it after 30 s)`);
  }
  return {
    urlHost: r.raw('URL_HOST').trim(),
    loadbalancerSecrets: secrets,
    checksumAlgorithms,
    outgoingAlgorithm: strongestAlgorithm(checksumAlgorithms),
    multitenancyEnabled: r.bool('MULTITENANCY_ENABLED'),
    trustForwardedHost: r.bool('TRUST_FORWARDED_HOST'),
    adminSecrets: r.raw('ADMIN_SECRET').split(':').filter((s) => s !== ''),
    adminApiEnabled: r.text('ADMIN_API_ENABLED').toLowerCase() === 'true', // blank: the default (true); anything but true: off
    allowPrivateCallbackUrls: r.bool('ALLOW_PRIVATE_CALLBACK_URLS'),
    buildNumber: r.raw('BUILD_NUMBER').trim(),
    getMeetingsApiDisabled: r.bool('GET_MEETINGS_API_DISABLED'),
    recordingDisabled: r.bool('RECORDING_DISABLED'),
    recordingImportUnpublished: r.bool('RECORDING_IMPORT_UNPUBLISHED'),
    protectedRecordingsEnabled: r.bool('PROTECTED_RECORDINGS_ENABLED'),
    getRecordingsApiFiltered: r.bool('GET_RECORDINGS_API_FILTERED'),
    recordingPlaybackFormats: r.text('RECORDING_PLAYBACK_FORMATS').split(':').map((f) => f.trim()).filter((f) => /^[a-z0-9_-]+$/i.test(f)),
    s3Bucket,
    s3Endpoint,
    recordingUploadUrlTtl: r.number('RECORDING_UPLOAD_URL_TTL', { min: 60, max: 7 * 24 * 3600, integer: true }),
    protectedRecordingsTokenTimeout: r.number('PROTECTED_RECORDINGS_TOKEN_TIMEOUT', { min: 1, max: 7 * 24 * 60, integer: true }),
    protectedRecordingsTimeout: r.number('PROTECTED_RECORDINGS_TIMEOUT', { min: 1, max: 7 * 24 * 60, integer: true }),
    playbackCookieTimeout: r.number('PLAYBACK_COOKIE_TIMEOUT', { min: 1, max: 7 * 24 * 60, integer: true }),
    ...signingKey(r.raw('CF_KEY_PAIR_ID').trim(), r.raw('CF_PRIVATE_KEY_B64').trim()),
    recordingRetentionDays: r.number('RECORDING_RETENTION_DAYS', { min: 0, max: 100 * 366, integer: true }),
    fsapiPassword: env.FSAPI_PASSWORD !== undefined ? env.FSAPI_PASSWORD : secrets[0],
    fsapiMaxDuration: r.raw('FSAPI_MAX_DURATION').trim() === '' ? r.number('MAX_MEETING_DURATION', { min: 0, integer: true }) : r.number('FSAPI_MAX_DURATION', { min: 0, integer: true }),
    ...voiceBridgeDigits(r.number('VOICE_BRIDGE_MIN', { min: 1, max: 32, integer: true }), r.number('VOICE_BRIDGE_MAX', { min: 1, max: 32, integer: true })),
    maxMeetingDuration: r.number('MAX_MEETING_DURATION', { min: 0, integer: true }),
    createExcludeParams: r.list('CREATE_EXCLUDE_PARAMS'),
    joinExcludeParams: r.list('JOIN_EXCLUDE_PARAMS'),
    defaultCreateParams: r.paramList('DEFAULT_CREATE_PARAMS'),
    overrideCreateParams: r.paramList('OVERRIDE_CREATE_PARAMS'),
    defaultJoinParams: r.paramList('DEFAULT_JOIN_PARAMS'),
    overrideJoinParams: r.paramList('OVERRIDE_JOIN_PARAMS'),
    connectTimeoutMs,
    responseTimeoutMs,
    serverIdIsHostname: r.bool('SERVER_ID_IS_HOSTNAME'),
    defaultMeetingTtl: r.number('DEFAULT_MEETING_TTL', { min: 60, integer: true }),
    pollInterval: r.number('POLL_INTERVAL', { min: 1 }),
    pollerConcurrency: concurrencyText === '' ? 200 : r.number('POLLER_CONCURRENCY', { min: 1, integer: true }),
    serverHealthyThreshold: r.number('SERVER_HEALTHY_THRESHOLD', { min: 1, integer: true }),
    serverUnhealthyThreshold: r.number('SERVER_UNHEALTHY_THRESHOLD', { min: 1, integer: true }),
    loadMinUserCount: r.number('LOAD_MIN_USER_COUNT', { min: 0, integer: true }),
    loadJoinBufferTime: r.number('LOAD_JOIN_BUFFER_TIME', { min: 0 }),
    voiceBridgeLen: r.number('VOICE_BRIDGE_LEN', { min: 5, integer: true }),
    useExternalVoiceBridge: r.bool('USE_EXTERNAL_VOICE_BRIDGE'),
    dynamodbTable: table,
    dynamodbEndpoint: endpoint,
    port: r.number('PORT', { min: 0, max: 65535, integer: true }),
    bindHost: r.raw('BIND').trim().replace(/^tcp:\/\//, '').replace(/:\d+$/, '') || '127.0.0.1',
    dataDir: r.raw('DATA_DIR').trim() || ENV.DATA_DIR.default,
    registryTtl: r.number('REGISTRY_TTL', { min: 0 }),
    logLevel: logLevel as Config['logLevel'],
    metricsEnabled: r.bool('METRICS_ENABLED'),
    metricsNamespace: metricsNamespace(r.text('METRICS_NAMESPACE')),
    metricsPerServer: r.bool('METRICS_PER_SERVER'),
    metricsPerTenant: r.bool('METRICS_PER_TENANT'),
    defaultCreateServerTag: r.serverTagOf('DEFAULT_CREATE_PARAMS'),
    overrideCreateServerTag: r.serverTagOf('OVERRIDE_CREATE_PARAMS'),
  };
}

/** A CloudWatch namespace: 1–255 of letters, digits and `.-_/#:`, not starting with `AWS/` (CloudWatch's own). */
function metricsNamespace(text: string): string {
  const ns = text.trim();
  if (!/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(ns) || ns.startsWith('AWS/')) {
    throw new ConfigError('METRICS_NAMESPACE', `"${ns}" is not a CloudWatch namespace (letters, digits and . - _ / # :, at most 255, not AWS/…)`);
  }
  return ns;
}

/**
 * CF_KEY_PAIR_ID + CF_PRIVATE_KEY_B64 (Scalelite's names): both or neither; the key is base64 of a PEM
 * RSA private key (a PEM given as is is accepted too). Its parse is checked at start-up, never logged.
 */
function signingKey(keyPairId: string, b64: string): { cfKeyPairId: string; cfPrivateKeyPem: string } {
  if (keyPairId === '' && b64 === '') return { cfKeyPairId: '', cfPrivateKeyPem: '' };
  if (b64 === '') throw new ConfigError('CF_PRIVATE_KEY_B64', 'is needed with CF_KEY_PAIR_ID');
  if (keyPairId === '') throw new ConfigError('CF_KEY_PAIR_ID', 'is needed with CF_PRIVATE_KEY_B64 (the id of its public key in the CloudFront key group)');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(keyPairId)) throw new ConfigError('CF_KEY_PAIR_ID', 'is not a CloudFront public key id');
  const pem = b64.startsWith('-----BEGIN') ? b64 : Buffer.from(b64, 'base64').toString('utf8');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) throw new ConfigError('CF_PRIVATE_KEY_B64', 'is not the base64 of a PEM RSA private key');
  try {
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ConfigError('CF_PRIVATE_KEY_B64', 'is not a readable RSA private key');
  }
  return { cfKeyPairId: keyPairId, cfPrivateKeyPem: pem };
}

function voiceBridgeDigits(min: number, max: number): { voiceBridgeMin: number; voiceBridgeMax: number } {
  if (min > max) throw new ConfigError('VOICE_BRIDGE_MIN', `${min} is above VOICE_BRIDGE_MAX (${max})`);
  return { voiceBridgeMin: min, voiceBridgeMax: max };
}
