/**
 * The CloudFront Functions, run as CloudFront runs them: the code the stack deploys, evaluated as a plain
 * script (no modules, no require) in a fresh context, its `handler` called with CloudFront's event shape.
 */
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RECORDING_NOT_FOUND_HTML } from '../shared/domain/recording-not-found.js';
import { recordingFileKey } from '../shared/storage/storage-keys.js';
import { EDGE_FUNCTION_MAX_BYTES, forwardedHostFunctionCode, recordingFilesFunctionCode } from './edge-functions.js';

type Headers = Record<string, { value: string }>;
type Query = Record<string, { value: string; multiValue?: { value: string }[] }>;
interface Request {
  method: string;
  uri: string;
  querystring: Query;
  headers: Headers;
  cookies: Record<string, { value: string }>;
}
interface Response {
  statusCode: number;
  headers: Headers;
  body?: { encoding: string; data: string };
}

function load(code: string): (event: unknown) => Request | Response {
  const context = createContext({});
  runInContext(code, context);
  return context.handler as (event: unknown) => Request | Response;
}

const event = (uri: string, querystring: Query = {}, host = 'sl.example.com') => ({
  version: '1.0',
  context: { eventType: 'viewer-request', distributionId: 'E123', distributionDomainName: 'd111.cloudfront.net' },
  viewer: { ip: '198.51.100.7' },
  request: { method: 'GET', uri, querystring, headers: { host: { value: host } }, cookies: {} } satisfies Request,
});

const ID = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9-1700000000000';

describe('the recording-files function', () => {
  const handler = load(recordingFilesFunctionCode());
  const uriOf = (uri: string, q?: Query) => {
    const out = handler(event(uri, q));
    expect(out).toHaveProperty('uri');
    return (out as Request).uri;
  };
  const isNotFound = (uri: string) => {
    const out = handler(event(uri)) as Response;
    expect(out.statusCode, uri).toBe(404);
    expect(out.headers['content-type'].value).toBe('text/html; charset=utf-8');
    expect(out.body).toEqual({ encoding: 'text', data: RECORDING_NOT_FOUND_HTML });
  };

  it('is a plain script within CloudFront’s size limit, with the page embedded', () => {
    const code = recordingFilesFunctionCode();
    expect(Buffer.byteLength(code)).toBeLessThan(EDGE_FUNCTION_MAX_BYTES);
    expect(code).not.toMatch(/\b(import|export|require)\b/);
    expect(code).toContain(JSON.stringify(RECORDING_NOT_FOUND_HTML));
  });

  it('maps /<format>/<id>/<file> to the bucket key the importer wrote', () => {
    expect(uriOf(`/presentation/${ID}/slides_new.xml`)).toBe(`/${recordingFileKey(ID, 'presentation', 'slides_new.xml')}`);
    expect(uriOf(`/presentation/${ID}/presentation/d1/slide-1.png`)).toBe(`/recordings/${ID}/presentation/presentation/d1/slide-1.png`);
    expect(uriOf(`/podcast/${ID}/audio.ogg`)).toBe(`/recordings/${ID}/podcast/audio.ogg`);
    // percent-encoding is left for S3 to decode, once
    expect(uriOf(`/notes/${ID}/My%20notes.pdf`)).toBe(`/recordings/${ID}/notes/My%20notes.pdf`);
    // the query is not the function's business (the cache policy leaves it out)
    expect(uriOf(`/video/${ID}/video-0.m4v`, { t: { value: '10' } })).toBe(`/recordings/${ID}/video/video-0.m4v`);
  });

  it('serves index.html for a directory', () => {
    expect(uriOf(`/video/${ID}/`)).toBe(`/recordings/${ID}/video/index.html`);
    expect(uriOf(`/screenshare/${ID}/sub/`)).toBe(`/recordings/${ID}/screenshare/sub/index.html`);
  });

  it('redirects /<format>/<id> to /<format>/<id>/ with the query kept', () => {
    const plain = handler(event(`/video/${ID}`)) as Response;
    expect(plain.statusCode).toBe(301);
    expect(plain.headers.location.value).toBe(`/video/${ID}/`);
    const withQuery = handler(event(`/video/${ID}`, { t: { value: '1m2s' }, a: { value: 'x', multiValue: [{ value: 'x' }, { value: 'y%20z' }] }, flag: { value: '' } })) as Response;
    expect(withQuery.headers.location.value).toBe(`/video/${ID}/?t=1m2s&a=x&a=y%20z&flag`);
  });

  it('passes the player’s files through unchanged', () => {
    expect(uriOf('/playback/presentation/2.3/static/js/main.1a2b.js')).toBe('/playback/presentation/2.3/static/js/main.1a2b.js');
    expect(uriOf('/playback/presentation/2.3/index.html')).toBe('/playback/presentation/2.3/index.html');
  });

  it('refuses traversal and smuggled separators with Scalelite’s page, before the bucket is asked', () => {
    for (const uri of [
      `/presentation/${ID}//etc`,
      `//presentation/${ID}/x`,
      `/presentation/${ID}/../other/x.png`,
      `/presentation/${ID}/./x.png`,
      `/presentation/${ID}/..`,
      `/presentation/../${ID}/x.png`,
      `/presentation/${ID}/a\\b.png`,
      `/presentation/${ID}/..%2Fother%2Fx.png`,
      `/presentation/${ID}/..%2fother`,
      `/presentation/${ID}/%5C..`,
      `/presentation/${ID}/%2e%2e/x`,
      `/presentation/${ID}/%2E/x`,
      `/presentation/${ID}/x%00.png`,
      '/playback/presentation/2.3/../../recordings/x/presentation/y.png',
      '/playback/presentation/2.3/%2e%2e/x',
    ]) {
      isNotFound(uri);
    }
  });

  it('refuses what is no record id', () => {
    for (const uri of ['/presentation/', '/presentation/-abc/x', '/presentation/a.b/x', `/presentation/${'a'.repeat(129)}/x`, '/presentation/a b/x', '/presentation/%41bc/x']) {
      isNotFound(uri);
    }
    expect(uriOf(`/presentation/${'a'.repeat(128)}/x`)).toBe(`/recordings/${'a'.repeat(128)}/presentation/x`);
  });
});

describe('the forwarded-host function', () => {
  const handler = load(forwardedHostFunctionCode());

  it('passes the viewer’s host as X-Forwarded-Host, overwriting one the viewer sent', () => {
    const e = event('/bigbluebutton/api/getMeetings', { checksum: { value: 'abc' } }, 'd111.cloudfront.net');
    (e.request.headers as Headers)['x-forwarded-host'] = { value: 'evil.example' };
    const out = handler(e) as Request;
    expect(out.headers['x-forwarded-host']).toEqual({ value: 'd111.cloudfront.net' });
    expect(out.uri).toBe('/bigbluebutton/api/getMeetings');
    expect(out.querystring).toEqual({ checksum: { value: 'abc' } });
    expect(Buffer.byteLength(forwardedHostFunctionCode())).toBeLessThan(EDGE_FUNCTION_MAX_BYTES);
  });
});
