import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Config } from './parse-config.js';
import { ENV } from './env-names.js';

/** Parses and returns the ConfigError thrown, failing when none is. */
function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('parseConfig defaults', () => {
  const config: Config = parseConfig({});

  it('accepts SHA1, SHA256, SHA384 and SHA512 and signs outgoing calls with the strongest', () => {
    expect(config.checksumAlgorithms).toEqual(['SHA1', 'SHA256', 'SHA384', 'SHA512']);
    expect(config.outgoingAlgorithm).toBe('SHA512');
  });

  it("keeps Scalelite's defaults", () => {
    expect(config).toMatchObject({
      urlHost: '',
      loadbalancerSecrets: [],
      multitenancyEnabled: false,
      buildNumber: '',
      getMeetingsApiDisabled: false,
      maxMeetingDuration: 0,
      createExcludeParams: [],
      joinExcludeParams: [],
      connectTimeoutMs: 5000,
      responseTimeoutMs: 10000,
      serverIdIsHostname: false,
      defaultMeetingTtl: 86400,
      pollInterval: 60,
      serverHealthyThreshold: 1,
      serverUnhealthyThreshold: 2,
      loadMinUserCount: 15,
      loadJoinBufferTime: 15,
      voiceBridgeLen: 9,
      useExternalVoiceBridge: false,
    });
    expect(config.defaultCreateParams.size).toBe(0);
    expect(config.overrideCreateParams.size).toBe(0);
    expect(config.defaultJoinParams.size).toBe(0);
    expect(config.overrideJoinParams.size).toBe(0);
    expect(config.defaultCreateServerTag).toBeUndefined();
    expect(config.overrideCreateServerTag).toBeUndefined();
  });

  it('has the defaults of our own variables', () => {
    expect(config).toMatchObject({
      dynamodbTable: 'scalelite',
      dynamodbEndpoint: '',
      port: 3000,
      dataDir: './.data',
      registryTtl: 5,
      logLevel: 'info',
      pollerConcurrency: 200,
    });
  });

  it('treats blank values like unset ones', () => {
    const blank = parseConfig({
      LOADBALANCER_CHECKSUM_ALGORITHM: ' ',
      POLL_INTERVAL: '',
      PORT: ' ',
      DATA_DIR: '',
      POLLER_CONCURRENCY: ' ',
      LOG_LEVEL: '',
      DYNAMODB_TABLE: ' ',
    });
    expect(blank.checksumAlgorithms).toEqual(['SHA1', 'SHA256', 'SHA384', 'SHA512']);
    expect(blank.pollInterval).toBe(60);
    expect(blank.port).toBe(3000);
    expect(blank.dataDir).toBe('./.data');
    expect(blank.pollerConcurrency).toBe(200);
    expect(blank.logLevel).toBe('info');
    expect(blank.dynamodbTable).toBe('scalelite');
  });

  it('documents a default for every variable', () => {
    expect(ENV.LOADBALANCER_CHECKSUM_ALGORITHM.default).toBe('SHA1:SHA256:SHA384:SHA512');
    for (const [name, spec] of Object.entries(ENV)) expect(typeof spec.default, name).toBe('string');
  });
});

describe('parseConfig values', () => {
  it('reads numbers, converting timeouts to milliseconds', () => {
    const config = parseConfig({
      CONNECT_TIMEOUT: '2.5',
      RESPONSE_TIMEOUT: '0.5',
      MAX_MEETING_DURATION: '120',
      POLL_INTERVAL: '30',
      POLLER_CONCURRENCY: '8',
      LOAD_MIN_USER_COUNT: '0',
      LOAD_JOIN_BUFFER_TIME: '7.5',
      VOICE_BRIDGE_LEN: '5',
      PORT: '0',
      REGISTRY_TTL: '0',
      DEFAULT_MEETING_TTL: ' 3600 ',
    });
    expect(config).toMatchObject({
      connectTimeoutMs: 2500,
      responseTimeoutMs: 500,
      maxMeetingDuration: 120,
      pollInterval: 30,
      pollerConcurrency: 8,
      loadMinUserCount: 0,
      loadJoinBufferTime: 7.5,
      voiceBridgeLen: 5,
      port: 0,
      registryTtl: 0,
      defaultMeetingTtl: 3600,
    });
  });

  it('builds the secret list from LOADBALANCER_SECRET then the :-separated LOADBALANCER_SECRETS', () => {
    expect(parseConfig({ LOADBALANCER_SECRET: 'main' }).loadbalancerSecrets).toEqual(['main']);
    expect(parseConfig({ LOADBALANCER_SECRETS: 'a:b' }).loadbalancerSecrets).toEqual(['a', 'b']);
    expect(parseConfig({ LOADBALANCER_SECRET: 'main', LOADBALANCER_SECRETS: 'a:b:c' }).loadbalancerSecrets).toEqual(['main', 'a', 'b', 'c']);
  });

  it('never accepts an empty secret (unlike Scalelite)', () => {
    expect(parseConfig({ LOADBALANCER_SECRET: '', LOADBALANCER_SECRETS: 'a::b:' }).loadbalancerSecrets).toEqual(['a', 'b']);
  });

  it.each(['true', 'TRUE', 'True', ' true '])('reads %j as true', (value) => {
    const config = parseConfig({
      MULTITENANCY_ENABLED: value,
      GET_MEETINGS_API_DISABLED: value,
      SERVER_ID_IS_HOSTNAME: value,
      USE_EXTERNAL_VOICE_BRIDGE: value,
    });
    expect(config.multitenancyEnabled).toBe(true);
    expect(config.getMeetingsApiDisabled).toBe(true);
    expect(config.serverIdIsHostname).toBe(true);
    expect(config.useExternalVoiceBridge).toBe(true);
  });

  it.each(['false', '1', 'yes', 'on', ''])('reads %j as false', (value) => {
    const config = parseConfig({ MULTITENANCY_ENABLED: value, USE_EXTERNAL_VOICE_BRIDGE: value });
    expect(config.multitenancyEnabled).toBe(false);
    expect(config.useExternalVoiceBridge).toBe(false);
  });

  it('reads ADMIN_SECRET as a :-separated list (empty by default) and TRUST_FORWARDED_HOST as a flag', () => {
    expect(parseConfig({}).adminSecrets).toEqual([]);
    expect(parseConfig({}).trustForwardedHost).toBe(false);
    expect(parseConfig({ ADMIN_SECRET: 'adm1::adm2' }).adminSecrets).toEqual(['adm1', 'adm2']);
    expect(parseConfig({ TRUST_FORWARDED_HOST: 'TRUE' }).trustForwardedHost).toBe(true);
  });

  it('ALLOW_PRIVATE_CALLBACK_URLS is off unless set to true (callbacks: https to public addresses only)', () => {
    expect(parseConfig({}).allowPrivateCallbackUrls).toBe(false);
    expect(ENV.ALLOW_PRIVATE_CALLBACK_URLS.default).toBe('false');
    for (const value of ['false', '1', 'yes', '']) expect(parseConfig({ ALLOW_PRIVATE_CALLBACK_URLS: value }).allowPrivateCallbackUrls).toBe(false);
    for (const value of ['true', ' TRUE ']) expect(parseConfig({ ALLOW_PRIVATE_CALLBACK_URLS: value }).allowPrivateCallbackUrls).toBe(true);
  });

  it('picks the outgoing algorithm as the strongest accepted one', () => {
    expect(parseConfig({ LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA1' })).toMatchObject({ checksumAlgorithms: ['SHA1'], outgoingAlgorithm: 'SHA1' });
    expect(parseConfig({ LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA256:SHA1' }).outgoingAlgorithm).toBe('SHA256');
    expect(parseConfig({ LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA1:SHA256:SHA512' }).outgoingAlgorithm).toBe('SHA512');
    expect(parseConfig({ LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA384:SHA1' }).outgoingAlgorithm).toBe('SHA384');
  });

  it('splits the exclude lists on commas, trimming and dropping empty entries', () => {
    const config = parseConfig({ CREATE_EXCLUDE_PARAMS: 'logo, welcome,,', JOIN_EXCLUDE_PARAMS: 'avatarURL' });
    expect(config.createExcludeParams).toEqual(['logo', 'welcome']);
    expect(config.joinExcludeParams).toEqual(['avatarURL']);
  });

  it('parses the default/override param lists in order', () => {
    const config = parseConfig({
      DEFAULT_CREATE_PARAMS: 'record=true,welcome=a=b',
      OVERRIDE_CREATE_PARAMS: 'allowStartStopRecording=false',
      DEFAULT_JOIN_PARAMS: 'userdata-bbb_auto_join_audio=true',
      OVERRIDE_JOIN_PARAMS: 'guest=false',
    });
    expect([...config.defaultCreateParams]).toEqual([
      ['record', 'true'],
      ['welcome', 'a=b'],
    ]);
    expect([...config.overrideCreateParams]).toEqual([['allowStartStopRecording', 'false']]);
    expect([...config.defaultJoinParams]).toEqual([['userdata-bbb_auto_join_audio', 'true']]);
    expect([...config.overrideJoinParams]).toEqual([['guest', 'false']]);
  });

  it('removes meta_server-tag from the create lists and exposes it separately', () => {
    const config = parseConfig({
      DEFAULT_CREATE_PARAMS: 'record=true,meta_server-tag=gpu,duration=60',
      OVERRIDE_CREATE_PARAMS: 'meta_server-tag=test;test2!',
    });
    expect([...config.defaultCreateParams]).toEqual([
      ['record', 'true'],
      ['duration', '60'],
    ]);
    expect(config.overrideCreateParams.size).toBe(0);
    expect(config.defaultCreateServerTag).toBe('gpu');
    expect(config.overrideCreateServerTag).toBe('test;test2!');
  });

  it('removes meta_server-tag from the join lists too', () => {
    const config = parseConfig({ DEFAULT_JOIN_PARAMS: 'meta_server-tag=x,a=1', OVERRIDE_JOIN_PARAMS: 'meta_server-tag=y' });
    expect([...config.defaultJoinParams]).toEqual([['a', '1']]);
    expect(config.overrideJoinParams.size).toBe(0);
  });

  it('reads the remaining strings', () => {
    const config = parseConfig({
      URL_HOST: ' lb.example.com ',
      BUILD_NUMBER: '42',
      DYNAMODB_TABLE: 'my-table_1.x',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      DATA_DIR: '/var/lib/sl',
      LOG_LEVEL: 'WARN',
    });
    expect(config).toMatchObject({
      urlHost: 'lb.example.com',
      buildNumber: '42',
      dynamodbTable: 'my-table_1.x',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      dataDir: '/var/lib/sl',
      logLevel: 'warn',
    });
    expect(parseConfig({ DYNAMODB_ENDPOINT: 'https://dynamodb.eu-central-1.amazonaws.com' }).dynamodbEndpoint).toBe(
      'https://dynamodb.eu-central-1.amazonaws.com',
    );
  });

  it('does not read process.env', () => {
    const before = process.env.LOADBALANCER_SECRET;
    process.env.LOADBALANCER_SECRET = 'from-process-env';
    try {
      expect(parseConfig({}).loadbalancerSecrets).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.LOADBALANCER_SECRET;
      else process.env.LOADBALANCER_SECRET = before;
    }
  });
});

describe('parseConfig errors name the variable', () => {
  it.each([
    ['POLL_INTERVAL', 'abc'],
    ['POLL_INTERVAL', '0'],
    ['CONNECT_TIMEOUT', 'soon'],
    ['RESPONSE_TIMEOUT', '-1'],
    ['MAX_MEETING_DURATION', '-5'],
    ['MAX_MEETING_DURATION', '1.5'],
    ['DEFAULT_MEETING_TTL', '10'],
    ['SERVER_HEALTHY_THRESHOLD', '0'],
    ['SERVER_UNHEALTHY_THRESHOLD', 'two'],
    ['LOAD_MIN_USER_COUNT', '-1'],
    ['LOAD_JOIN_BUFFER_TIME', 'x'],
    ['VOICE_BRIDGE_LEN', '4'],
    ['VOICE_BRIDGE_LEN', '9.5'],
    ['POLLER_THREADS', '0'],
    ['POLLER_CONCURRENCY', '0'],
    ['PORT', 'http'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['REGISTRY_TTL', 'Infinity'],
    ['RESPONSE_TIMEOUT', '30'],
  ])('%s=%j', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.name).toBe('ConfigError');
  });

  it.each(['MD5', 'sha256', 'SHA1:SHA3', ':', 'SHA1,SHA256'])('LOADBALANCER_CHECKSUM_ALGORITHM=%j', (value) => {
    const error = configError({ LOADBALANCER_CHECKSUM_ALGORITHM: value });
    expect(error.variable).toBe('LOADBALANCER_CHECKSUM_ALGORITHM');
    expect(error.message).toMatch(/^LOADBALANCER_CHECKSUM_ALGORITHM: /);
  });

  it('names the unknown algorithm', () => {
    expect(configError({ LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA1:MD5' }).message).toContain('MD5');
  });

  it.each(['DEFAULT_CREATE_PARAMS', 'OVERRIDE_CREATE_PARAMS', 'DEFAULT_JOIN_PARAMS', 'OVERRIDE_JOIN_PARAMS'])(
    '%s with an entry without =',
    (variable) => {
      const error = configError({ [variable]: 'record=true,broken' });
      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
      expect(error.message).toContain('broken');
    },
  );

  it.each(['ab', 'has space', 'bad/name', 'x'.repeat(256)])('DYNAMODB_TABLE=%j', (value) => {
    expect(configError({ DYNAMODB_TABLE: value }).variable).toBe('DYNAMODB_TABLE');
  });

  it.each(['localhost:8000', 'ftp://host', 'http://', 'http:///path', 'http://host name', 'dynamodb'])('DYNAMODB_ENDPOINT=%j', (value) => {
    expect(configError({ DYNAMODB_ENDPOINT: value }).variable).toBe('DYNAMODB_ENDPOINT');
  });

  it.each(['debug', 'verbose', 'off'])('LOG_LEVEL=%j', (value) => {
    const error = configError({ LOG_LEVEL: value });
    expect(error.variable).toBe('LOG_LEVEL');
    expect(error.message).toContain(value);
  });

  it('accepts every log level in any case', () => {
    for (const level of ['info', 'warn', 'error', 'silent'] as const) {
      expect(parseConfig({ LOG_LEVEL: level.toUpperCase() }).logLevel).toBe(level);
    }
  });
});

describe('timeouts fit in a request', () => {
  it('CONNECT_TIMEOUT + RESPONSE_TIMEOUT over 20 s is refused, naming the limit', () => {
    const error = configError({ CONNECT_TIMEOUT: '5', RESPONSE_TIMEOUT: '16' });
    expect(error.variable).toBe('RESPONSE_TIMEOUT');
    expect(error.message).toContain('at most 20 s');
    expect(parseConfig({ CONNECT_TIMEOUT: '5', RESPONSE_TIMEOUT: '15' }).responseTimeoutMs).toBe(15_000);
  });
});
