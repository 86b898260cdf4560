import { originUrls, recordingsXml } from '../domain/recording-xml.js';
import { el, renderXml } from '../domain/xml.js';

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export const errorXml = (key: string, message: string) =>
  renderXml(el('response', el('returncode', 'FAILED'), el('messageKey', key), el('message', message)));

export const indexXml = (build: string) =>
  renderXml(el('response', el('returncode', 'SUCCESS'), el('version', '2.0'), build ? el('build', build) : null));

/**
 * getRecordings while recordings are disabled: Scalelite renders its getRecordings builder view with no
 * recordings (Builder's bytes: no XML declaration, `<recordings>` open and closed on two lines).
 */
export const NO_RECORDINGS_XML = recordingsXml({ recordings: [], urls: originUrls(''), showProtected: false });
