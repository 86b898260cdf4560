import { describe, expect, it } from 'vitest';
import { mishandlesSameSiteNone, sameSiteFor } from './same-site.js';

const OLD: Record<string, string> = {
  'iOS 12 Safari': 'Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1',
  'iOS 12 Chrome': 'Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/76.0.3809.123 Mobile/15E148 Safari/605.1',
  'iPadOS 12': 'Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1',
  'macOS 10.14 Safari': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15',
  'macOS 10.14 web view': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  'Chrome 51': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36',
  'Chrome 65': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/65.0.3325.181 Safari/537.36',
  'Chromium 66': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/66.0.3359.181 Chrome/66.0.3359.181 Safari/537.36',
  'UC Browser 12.13.0': 'Mozilla/5.0 (Linux; U; Android 9; en-US; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/12.13.0.1207 Mobile Safari/537.36',
  'UC Browser 11.9': 'Mozilla/5.0 (Linux; U; Android 8.0.0; en-US; SM-G950F) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/11.9.4.974 Mobile Safari/537.36',
};

const MODERN: Record<string, string> = {
  'iOS 13 Safari': 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.4 Mobile/15E148 Safari/604.1',
  'macOS 10.14 Chrome 80': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.132 Safari/537.36',
  'macOS 10.15 Safari': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15',
  'Chrome 50': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36',
  'Chrome 67': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36',
  'Chrome 120': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'UC Browser 12.13.2': 'Mozilla/5.0 (Linux; U; Android 9; en-US; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/12.13.2.1208 Mobile Safari/537.36',
  'UC Browser 13.0': 'Mozilla/5.0 (Linux; U; Android 10; en-US; SM-A505F) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.0.0.1288 Mobile Safari/537.36',
  Firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
};

describe('mishandlesSameSiteNone', () => {
  it('flags the browsers of the incompatible-clients list', () => {
    for (const [name, ua] of Object.entries(OLD)) expect(mishandlesSameSiteNone(ua), name).toBe(true);
  });

  it('leaves every other browser alone (also without a User-Agent)', () => {
    for (const [name, ua] of Object.entries(MODERN)) expect(mishandlesSameSiteNone(ua), name).toBe(false);
    expect(mishandlesSameSiteNone(undefined)).toBe(false);
    expect(mishandlesSameSiteNone('')).toBe(false);
  });
});

describe('sameSiteFor', () => {
  it('None over https, left out for old browsers, Lax over http', () => {
    expect(sameSiteFor(true, MODERN['Chrome 120'])).toBe('None');
    expect(sameSiteFor(true, OLD['iOS 12 Safari'])).toBeUndefined();
    expect(sameSiteFor(false, MODERN['Chrome 120'])).toBe('Lax');
    expect(sameSiteFor(false, OLD['Chrome 65'])).toBe('Lax');
  });
});
