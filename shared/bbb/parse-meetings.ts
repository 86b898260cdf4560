import type { MeetingSample } from '../domain/server-load.js';
import { BbbFailedError, BbbTransportError } from './bbb-client.js';
import { childElements, firstChild, parseXmlDocument, serializeElement, textOf, type XmlNode } from './parse-bbb-xml.js';

/**
 * The largest `<meeting>` snapshot kept as is. A bigger one (a meeting with about a thousand attendees)
 * is kept without its `<attendee>` elements: a DynamoDB item holds at most 400 KB, and one oversized
 * meeting must never make the poll of its server fail.
 */
export const MAX_INFO_BYTES = 100_000;

export interface ReportedMeeting extends MeetingSample {
  /** the `<meeting>` element, serialised on one line (without attendees when over MAX_INFO_BYTES) */
  xml: string;
  /**
   * A breakout room's parent, by its meetingID: the meeting of the same answer whose `<internalMeetingID>` is
   * the room's `<breakout><parentMeetingID>` (BBB names the parent by its internal id; rooms run on their
   * parent's server). Absent for other meetings, and when the parent is not in the answer.
   */
  breakoutOf?: string;
}

/** The text of the first child element with that name ('' when there is none). */
function text(node: XmlNode, name: string): string {
  const child = firstChild(node, name);
  return child ? textOf(child) : '';
}

const int = (s: string) => (/^\s*-?\d+/.test(s) ? parseInt(s, 10) : 0);

/**
 * The element serialised (strict XML 1.0, see serializeElement); without the attendees' elements when it
 * would be too big to store.
 */
function snapshot(node: XmlNode): string {
  const xml = serializeElement(node);
  if (Buffer.byteLength(xml) <= MAX_INFO_BYTES) return xml;
  const slim: XmlNode = { ...node, children: node.children.map((c) => (typeof c !== 'string' && c.name === 'attendees' ? { name: 'attendees', attrs: [], children: [] } : c)) };
  return serializeElement(slim);
}

/** The breakout rooms' parents (by meetingID), from the internal ids in one answer. */
function withParents(nodes: XmlNode[], meetings: ReportedMeeting[]): ReportedMeeting[] {
  const byInternalId = new Map(nodes.map((node, i) => [text(node, 'internalMeetingID'), meetings[i].meetingID] as const).filter(([id]) => id !== ''));
  return meetings.map((m, i) => {
    if (!m.isBreakout) return m;
    const breakout = firstChild(nodes[i], 'breakout');
    const parent = breakout ? byInternalId.get(text(breakout, 'parentMeetingID')) : undefined;
    return parent === undefined || parent === m.meetingID ? m : { ...m, breakoutOf: parent };
  });
}

function meetingsOf(response: XmlNode): ReportedMeeting[] {
  const meetings = firstChild(response, 'meetings');
  if (!meetings) return [];
  const nodes = childElements(meetings).filter((n) => n.name === 'meeting');
  return withParents(
    nodes,
    nodes.map((node) => ({
      meetingID: text(node, 'meetingID'),
      createTime: int(text(node, 'createTime')),
      participantCount: int(text(node, 'participantCount')),
      moderatorCount: int(text(node, 'moderatorCount')),
      videoCount: int(text(node, 'videoCount')),
      isBreakout: text(node, 'isBreakout') === 'true',
      xml: snapshot(node),
    })),
  );
}

/** The `<response>` root of a document (undefined for another root); BbbTransportError when it is not XML. */
function responseOf(body: string): XmlNode | undefined {
  let root: XmlNode;
  try {
    root = parseXmlDocument(body);
  } catch {
    throw new BbbTransportError('Response is not XML');
  }
  return root.name === 'response' ? root : undefined;
}

/** The meetings of a getMeetings document already known to be SUCCESS, with their raw elements. */
export function parseMeetings(body: string): ReportedMeeting[] {
  const response = responseOf(body);
  return response ? meetingsOf(response) : [];
}

/**
 * A getMeetings answer read in one parse: its meetings when `returncode` is SUCCESS; otherwise the same
 * errors as the BBB client (BbbFailedError for BBB's FAILED with messageKey and message,
 * BbbTransportError for anything that is not a BBB document).
 */
export function parseGetMeetings(body: string): ReportedMeeting[] {
  const response = responseOf(body);
  if (!response) throw new BbbTransportError('Response did not include returncode');
  if (!firstChild(response, 'returncode')) throw new BbbTransportError('Response did not include returncode');
  if (text(response, 'returncode') !== 'SUCCESS') {
    if (!firstChild(response, 'messageKey') || !firstChild(response, 'message')) throw new BbbTransportError('Error response without messageKey/message');
    throw new BbbFailedError(text(response, 'messageKey'), text(response, 'message'));
  }
  return meetingsOf(response);
}
