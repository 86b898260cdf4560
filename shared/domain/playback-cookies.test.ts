import { describe, expect, it } from 'vitest';
import { resourceMatches } from './cloudfront-cookies.js';
import { cookieExpiry, playbackCookiePaths, playbackResource, setCookieHeaders } from './playback-cookies.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678-1700000000001';
const OTHER = 'ffffffffffffffffffffffffffffffffffffffff-1700000000002';

describe('playbackResource', () => {
  const resource = playbackResource('https://sl.example.com', ID);

  it("matches the recording's files as the viewer asks for them and as the bucket keys them", () => {
    expect(resource).toBe(`https://sl.example.com/*/${ID}/*`);
    expect(resourceMatches(resource, `https://sl.example.com/presentation/${ID}/shapes.svg`)).toBe(true);
    expect(resourceMatches(resource, `https://sl.example.com/video/${ID}/video-0.m4v?t=3`)).toBe(true);
    expect(resourceMatches(resource, `https://sl.example.com/recordings/${ID}/presentation/shapes.svg`)).toBe(true);
  });

  it("matches no other recording, origin or scheme", () => {
    expect(resourceMatches(resource, `https://sl.example.com/presentation/${OTHER}/shapes.svg`)).toBe(false);
    expect(resourceMatches(resource, `https://other.example.com/presentation/${ID}/shapes.svg`)).toBe(false);
    expect(resourceMatches(resource, `http://sl.example.com/presentation/${ID}/shapes.svg`)).toBe(false);
    expect(resourceMatches(resource, `https://sl.example.com:8443/presentation/${ID}/shapes.svg`)).toBe(false);
    expect(resourceMatches(resource, `https://sl.example.com/presentation/${ID}x/shapes.svg`)).toBe(false);
  });
});

describe('playbackCookiePaths', () => {
  it("is the format's directory, plus the player's page for presentation", () => {
    expect(playbackCookiePaths(ID, 'presentation')).toEqual([`/presentation/${ID}/`, `/playback/presentation/2.3/${ID}`]);
    expect(playbackCookiePaths(ID, 'video')).toEqual([`/video/${ID}/`]);
  });
});

describe('setCookieHeaders', () => {
  const cookies = [
    { name: 'CloudFront-Policy', value: 'eyJ-_~' },
    { name: 'CloudFront-Key-Pair-Id', value: 'K1' },
  ];

  it('sets each cookie on each path, HttpOnly, host-only, without expiry', () => {
    const headers = setCookieHeaders(cookies, ['/a/', '/b'], { secure: true, sameSite: 'None' });
    expect(headers).toEqual([
      'CloudFront-Policy=eyJ-_~; Path=/a/; Secure; HttpOnly; SameSite=None',
      'CloudFront-Key-Pair-Id=K1; Path=/a/; Secure; HttpOnly; SameSite=None',
      'CloudFront-Policy=eyJ-_~; Path=/b; Secure; HttpOnly; SameSite=None',
      'CloudFront-Key-Pair-Id=K1; Path=/b; Secure; HttpOnly; SameSite=None',
    ]);
    for (const h of headers) expect(h).not.toMatch(/Domain|Expires|Max-Age/i);
  });

  it('leaves SameSite out when asked, and Secure over http', () => {
    expect(setCookieHeaders(cookies.slice(0, 1), ['/a/'], { secure: true, sameSite: undefined })).toEqual(['CloudFront-Policy=eyJ-_~; Path=/a/; Secure; HttpOnly']);
    expect(setCookieHeaders(cookies.slice(0, 1), ['/a/'], { secure: false, sameSite: 'Lax' })).toEqual(['CloudFront-Policy=eyJ-_~; Path=/a/; HttpOnly; SameSite=Lax']);
  });
});

describe('cookieExpiry', () => {
  it('is now (whole seconds) plus the minutes', () => {
    expect(cookieExpiry(1_700_000_000_999, 360)).toBe(1_700_000_000 + 360 * 60);
  });
});
