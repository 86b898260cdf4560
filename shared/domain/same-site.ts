/**
 * Browsers that mishandle `SameSite=None` (the Chromium project's list of incompatible clients): they
 * either reject such a cookie or read it as `Strict`, so a playback cookie marked `None` would never come
 * back. For them the attribute is left out, which they treat as no restriction — what Scalelite meant to
 * do (reference §9.5.1: its helper made the cookie writer fail, HTTP 500).
 *
 * - any browser on iOS 12 (all use Apple's WebKit there);
 * - Safari and embedded web views on macOS 10.14;
 * - Chrome and Chromium 51 to 66;
 * - UC Browser on Android before 12.13.2.
 */
export function mishandlesSameSiteNone(userAgent: string | undefined): boolean {
  if (!userAgent) return false;
  return isIos12(userAgent) || (isMacOs1014(userAgent) && (isSafari(userAgent) || isMacEmbeddedWebView(userAgent))) || isChromium51To66(userAgent) || isUcBrowserBefore12132(userAgent);
}

/** The `SameSite` attribute of a playback cookie, or undefined to leave it out. */
export function sameSiteFor(secure: boolean, userAgent: string | undefined): 'None' | 'Lax' | undefined {
  // `None` is only accepted with `Secure`; over plain http (`npm start`) the cookie stays same-site
  if (!secure) return 'Lax';
  return mishandlesSameSiteNone(userAgent) ? undefined : 'None';
}

const isIos12 = (ua: string) => /\(iP(?:hone|ad|od)[^)]*; CPU [^)]*OS 12[_\d]*[^)]*\) AppleWebKit\//.test(ua);

const isMacOs1014 = (ua: string) => /\(Macintosh;[^)]*Mac OS X 10_14[_\d]*[^)]*\) AppleWebKit\//.test(ua);

/** Safari itself, not a Chromium-based browser (which also says `Safari/`). */
const isSafari = (ua: string) => /Version\/[\d.]+ (?:Mobile\/\w+ )?Safari\//.test(ua) && !isChromiumBased(ua);

/** An app's WKWebView on macOS: the bare WebKit prefix and nothing after it. */
const isMacEmbeddedWebView = (ua: string) => /^Mozilla\/[\d.]+ \(Macintosh;[^)]*Mac OS X [_\d]+\) AppleWebKit\/[\d.]+ \(KHTML, like Gecko\)$/.test(ua);

const isChromiumBased = (ua: string) => /Chrom(?:e|ium)\//.test(ua);

function isChromium51To66(ua: string): boolean {
  const m = /Chrom(?:e|ium)\/(\d+)\./.exec(ua);
  if (!m) return false;
  const major = Number(m[1]);
  return major >= 51 && major <= 66;
}

function isUcBrowserBefore12132(ua: string): boolean {
  const m = /UCBrowser\/(\d+)\.(\d+)\.(\d+)/.exec(ua);
  if (!m) return false;
  const [major, minor, build] = m.slice(1).map(Number);
  if (major !== 12) return major < 12;
  if (minor !== 13) return minor < 13;
  return build < 2;
}
