import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { MeetingSample } from '../domain/server-load.js';
import { BbbFailedError, BbbTransportError } from './bbb-client.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, trimValues: true, processEntities: true });
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, processEntities: true });

/**
 * The largest `<meeting>` snapshot kept as is. A bigger one (a meeting with about a thousand attendees)
 * is kept without its `<attendee>` elements: a DynamoDB item holds at most 400 KB, and one oversized
 * meeting must never make the poll of its server fail.
 */
export const MAX_INFO_BYTES = 100_000;

export interface ReportedMeeting extends MeetingSample {
  /** the `<meeting>` element, serialised on one line (without attendees when over MAX_INFO_BYTES) */
  xml: string;
}

const nameOf = (node: Node) => Object.keys(node).find((k) => k !== ':@');
const childrenOf = (node: Node): Node[] => (node[nameOf(node) ?? ''] as Node[]) ?? [];

function text(children: Node[], name: string): string {
  const child = children.find((c) => nameOf(c) === name);
  if (!child) return '';
  return childrenOf(child)
    .map((c) => (c['#text'] !== undefined ? String(c['#text']) : ''))
    .join('');
}

const int = (s: string) => (/^\s*-?\d+/.test(s) ? parseInt(s, 10) : 0);

/** The element serialised; without the attendees' elements when it would be too big to store. */
function snapshot(node: Node): string {
  const xml = builder.build([node]) as string;
  if (Buffer.byteLength(xml) <= MAX_INFO_BYTES) return xml;
  const name = nameOf(node)!;
  const slim = { ...node, [name]: childrenOf(node).map((c) => (nameOf(c) === 'attendees' ? { attendees: [] } : c)) };
  return builder.build([slim]) as string;
}

function meetingsOf(response: Node): ReportedMeeting[] {
  const meetings = childrenOf(response).find((n) => nameOf(n) === 'meetings');
  if (!meetings) return [];
  return childrenOf(meetings)
    .filter((n) => nameOf(n) === 'meeting')
    .map((node) => {
      const c = childrenOf(node);
      return {
        meetingID: text(c, 'meetingID'),
        createTime: int(text(c, 'createTime')),
        participantCount: int(text(c, 'participantCount')),
        moderatorCount: int(text(c, 'moderatorCount')),
        videoCount: int(text(c, 'videoCount')),
        isBreakout: text(c, 'isBreakout') === 'true',
        xml: snapshot(node),
      };
    });
}

function responseOf(body: string): Node | undefined {
  let doc: Node[];
  try {
    doc = parser.parse(body) as Node[];
  } catch {
    throw new BbbTransportError('Response is not XML');
  }
  return Array.isArray(doc) ? doc.find((n) => nameOf(n) === 'response') : undefined;
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
  const c = childrenOf(response);
  if (!c.some((n) => nameOf(n) === 'returncode')) throw new BbbTransportError('Response did not include returncode');
  if (text(c, 'returncode') !== 'SUCCESS') {
    if (!c.some((n) => nameOf(n) === 'messageKey') || !c.some((n) => nameOf(n) === 'message')) throw new BbbTransportError('Error response without messageKey/message');
    throw new BbbFailedError(text(c, 'messageKey'), text(c, 'message'));
  }
  return meetingsOf(response);
}
