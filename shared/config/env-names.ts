/**
 * The environment contract: every variable the runtimes read, with its default.
 * Shared by the runtime (parseConfig) and the infrastructure (which passes exactly these).
 */
export const ENV = {
  URL_HOST: { default: '', doc: 'Public host name; builds analytics-callback URLs.' },
  LOADBALANCER_SECRET: { default: '', doc: 'Primary shared secret of the BBB API.' },
  LOADBALANCER_SECRETS: { default: '', doc: 'More secrets, `:`-separated.' },
  LOADBALANCER_CHECKSUM_ALGORITHM: { default: 'SHA1:SHA256:SHA384:SHA512', doc: 'Accepted checksum algorithms; outgoing calls use the strongest.' },
  MULTITENANCY_ENABLED: { default: 'false', doc: 'Tenants by subdomain.' },
  TRUST_FORWARDED_HOST: { default: 'false', doc: 'Take the tenant host from X-Forwarded-Host (behind a proxy that rewrites Host).' },
  ADMIN_SECRET: { default: '', doc: 'Secret(s) of the admin API /scalelite/api, `:`-separated; unset → the LB secrets (with a warning).' },
  ALLOW_PRIVATE_CALLBACK_URLS: { default: 'false', doc: 'Callback URLs (analytics, recording ready) may use http and reach private, loopback and link-local addresses (local development and tests only).' },
  BUILD_NUMBER: { default: '', doc: 'Adds <build> to the index document.' },
  GET_MEETINGS_API_DISABLED: { default: 'false', doc: 'getMeetings always answers noMeetings, without checksum.' },
  RECORDING_DISABLED: { default: 'false', doc: 'Recordings API answers as disabled.' },
  MAX_MEETING_DURATION: { default: '0', doc: 'Minutes; caps/sets create duration (0 = off).' },
  CREATE_EXCLUDE_PARAMS: { default: '', doc: 'Comma list of client params dropped from create.' },
  JOIN_EXCLUDE_PARAMS: { default: '', doc: 'Comma list of client params dropped from join.' },
  DEFAULT_CREATE_PARAMS: { default: '', doc: '`p=v,…` defaults for create.' },
  OVERRIDE_CREATE_PARAMS: { default: '', doc: '`p=v,…` forced values for create.' },
  DEFAULT_JOIN_PARAMS: { default: '', doc: '`p=v,…` defaults for join.' },
  OVERRIDE_JOIN_PARAMS: { default: '', doc: '`p=v,…` forced values for join.' },
  CONNECT_TIMEOUT: { default: '5', doc: 'Seconds to connect to a BBB server.' },
  RESPONSE_TIMEOUT: { default: '10', doc: 'Seconds to wait for a BBB answer.' },
  SERVER_ID_IS_HOSTNAME: { default: 'false', doc: 'New server ids are the URL host instead of a UUID.' },
  DEFAULT_MEETING_TTL: { default: '86400', doc: 'Seconds a meeting record lives without being seen by the poller.' },
  POLL_INTERVAL: { default: '60', doc: 'Seconds between poll cycles.' },
  POLLER_THREADS: { default: '5', doc: 'Read for compatibility with Scalelite; POLLER_CONCURRENCY bounds our poller.' },
  POLLER_CONCURRENCY: { default: '', doc: 'Servers polled at once (default 200).' },
  SERVER_HEALTHY_THRESHOLD: { default: '1', doc: 'Successful polls before an offline server is online.' },
  SERVER_UNHEALTHY_THRESHOLD: { default: '2', doc: 'Failed polls before an online server is offline.' },
  LOAD_MIN_USER_COUNT: { default: '15', doc: 'Minimum users counted for a young meeting.' },
  LOAD_JOIN_BUFFER_TIME: { default: '15', doc: 'Minutes a new meeting counts at least LOAD_MIN_USER_COUNT.' },
  VOICE_BRIDGE_LEN: { default: '9', doc: 'Digits of generated voice bridges.' },
  USE_EXTERNAL_VOICE_BRIDGE: { default: 'false', doc: "Try the client's voiceBridge first." },
  DYNAMODB_TABLE: { default: 'scalelite', doc: 'DynamoDB table name.' },
  DYNAMODB_ENDPOINT: { default: '', doc: 'DynamoDB endpoint (set: use it instead of AWS / the embedded engine).' },
  PORT: { default: '3000', doc: 'HTTP port of `slctl serve`.' },
  BIND: { default: '127.0.0.1', doc: 'Address `slctl serve` listens on (Scalelite form tcp://host:port accepted).' },
  DATA_DIR: { default: './.data', doc: "Embedded DynamoDB's files (`slctl serve`)." },
  REGISTRY_TTL: { default: '5', doc: 'Seconds the API caches servers/tenants in process (0 = no cache).' },
  LOG_LEVEL: { default: 'info', doc: 'info | warn | error | silent.' },
} as const;

export type EnvName = keyof typeof ENV;
export type Env = Partial<Record<string, string | undefined>>;
