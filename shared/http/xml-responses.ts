import { el, renderXml } from '../domain/xml.js';

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export const errorXml = (key: string, message: string) =>
  renderXml(el('response', el('returncode', 'FAILED'), el('messageKey', key), el('message', message)));

export const indexXml = (build: string) =>
  renderXml(el('response', el('returncode', 'SUCCESS'), el('version', '2.0'), build ? el('build', build) : null));

/** getRecordings while recordings are disabled: Scalelite's builder template with no recordings. */
export const NO_RECORDINGS_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <recordings>\n  </recordings>\n' +
  '  <messageKey>noRecordings</messageKey>\n  <message>There are not recordings for the meetings</message>\n</response>\n';
