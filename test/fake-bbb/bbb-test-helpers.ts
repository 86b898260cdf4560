/** Helpers for the fake BBB's own tests: signed calls, raw requests and tiny XML probes. */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { signBbbUrl, type Algorithm, type FakeBbb } from './fake-bbb-server.js';

export const XML = 'text/xml;charset=utf-8';
export const CHECKSUM_ERROR =
  '<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>';

/** fetch of a signed API URL (redirects are not followed). */
export function callBbb(bbb: FakeBbb, name: string, query = '', algorithm?: Algorithm, init?: RequestInit): Promise<Response> {
  return fetch(signBbbUrl(bbb.url, name, query, bbb.secret, algorithm), { redirect: 'manual', ...init });
}

export async function callBbbText(bbb: FakeBbb, name: string, query = '', algorithm?: Algorithm): Promise<string> {
  return (await callBbb(bbb, name, query, algorithm)).text();
}

/** GET with the request target sent byte-for-byte (fetch would re-encode `'`). */
export function rawGet(bbb: FakeBbb, target: string): Promise<{ status: number; body: string }> {
  const [hostname, port] = bbb.host.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port: Number(port), path: target, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Text of the first `<name>` element. */
export function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Names of the direct children of the outermost element. */
export function childNames(xml: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const m of xml.matchAll(/<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (closing) depth -= 1;
    else {
      if (depth === 1) names.push(name);
      if (!selfClosing) depth += 1;
    }
  }
  return names;
}

export const sha = (alg: string, s: string): string => createHash(alg).update(s).digest('hex');
