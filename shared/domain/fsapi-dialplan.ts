/**
 * The FreeSWITCH dial plans of POST /fsapi (reference §1.11): mod_xml_curl asks where a caller's conference
 * PIN lives and gets one of three answers, in the `freeswitch/xml` document Scalelite's builder view
 * renders. Pure: the use case (shared/app/fsapi.ts) decides which answer, this file writes it.
 */
import { blockWith, empty, renderBuilder, type BuilderNode } from './builder-xml.js';

export interface DialplanSettings {
  /** minutes; a `sched_hangup` of the prompt when > 0 (FSAPI_MAX_DURATION) */
  maxDurationMinutes: number;
  /** VOICE_BRIDGE_MIN / VOICE_BRIDGE_MAX: the digits `play_and_get_digits` accepts */
  minDigits: number;
  maxDigits: number;
}

/** Ruby's `Regexp.escape`: the DID becomes a literal in the condition's regular expression. */
export function rubyRegexpEscape(s: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v', ' ': '\\ ' };
  return s.replace(/[\n\t\r\f\v .*?+^$|()[\]{}\\#-]/g, (ch) => named[ch] ?? `\\${ch}`);
}

/**
 * What every interpolated value goes through (Scalelite's `fs_escape`): a backslash doubled, and `${` made
 * literal, so a caller's name like `${system(…)}` is never expanded by FreeSWITCH.
 */
export const fsEscape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\$\{/g, '\\${');

/**
 * The caller id shown in the conference: a numeric Caller-ID-Name keeps all but its last 4 digits, the rest
 * `X` (`5554321` → `555XXXX`), or nothing when the number is hidden; any other name shows unless the name is
 * hidden; nothing left → `Unavailable`.
 */
export function maskedCallerId(name: string, hideName: boolean, hideNumber: boolean): string {
  let shown: string;
  if (/^\d+$/.test(name)) shown = hideNumber ? '' : name.slice(0, Math.max(0, name.length - 4)).padEnd(name.length, 'X');
  else shown = hideName ? '' : name;
  return shown === '' ? 'Unavailable' : shown;
}

const action = (application: string, data?: string): BuilderNode => empty('action', data === undefined ? [['application', application]] : [['application', application], ['data', data]]);

function dialplan(description: string, extension: string, did: string, actions: BuilderNode[]): string {
  return renderBuilder(
    blockWith(
      'document',
      [['type', 'freeswitch/xml']],
      blockWith(
        'section',
        [
          ['name', 'dialplan'],
          ['description', description],
        ],
        blockWith(
          'context',
          [['name', 'public']],
          blockWith(
            'extension',
            [['name', extension]],
            blockWith(
              'condition',
              [
                ['field', 'destination_number'],
                ['expression', `^${fsEscape(rubyRegexpEscape(did))}$`],
              ],
              ...actions,
            ),
          ),
        ),
      ),
    ),
  );
}

/** Not a dial-plan question (another `section`, or no destination number). */
export const NOT_FOUND_DOCUMENT = renderBuilder(blockWith('document', [['type', 'freeswitch/xml']], blockWith('section', [['name', 'result']], empty('result', [['status', 'not found']]))));

const digits = (s: DialplanSettings, pattern: string) => action('play_and_get_digits', `${s.minDigits} ${s.maxDigits} 3 7000 # conference/conf-enter_conf_pin.wav conference/conf-bad-pin.wav pin ${pattern}`);

/** A call without a PIN yet: answer, welcome, ask for the PIN, transfer to the same number with it. */
export function promptForPin(did: string, s: DialplanSettings): string {
  return dialplan('Match DID and Pin for Conference', 'match_did_and_prompt_for_pin', did, [
    action('answer'),
    s.maxDurationMinutes > 0 ? action('sched_hangup', `+${s.maxDurationMinutes * 60} normal_clearing`) : null,
    action('sleep', '500'),
    action('playback', 'ivr/ivr-welcome.wav'),
    action('sleep', '200'),
    digits(s, '\\d+'),
    action('transfer', '${pin} XML public'),
  ].filter((a): a is BuilderNode => a !== null));
}

/**
 * A PIN that opens no meeting: "bad pin", ask again. Scalelite's digit pattern here is `d+` (its `\d` lost a
 * backslash in a Ruby string); we send `\d+` as the first prompt does (docs/COMPATIBILITY.md).
 */
export function repromptForPin(did: string, s: DialplanSettings): string {
  return dialplan('Reprompt Pin for Conference', 'reprompt_for_pin', did, [
    action('playback', 'conference/conf-bad-pin.wav'),
    action('sleep', '500'),
    digits(s, '\\d+'),
    action('transfer', '${pin} XML public'),
  ]);
}

/** The PIN's meeting runs on `host`: bridge the call to that BBB server's FreeSWITCH. */
export function bridgeToServer(did: string, pin: string, meetingId: string, callerId: string, host: string): string {
  return dialplan('Bridge Call to BBB Server', 'bridge_to_bbb_server', did, [
    action('set', `meeting_id=${fsEscape(meetingId)}`),
    action('set', `effective_caller_id_name=${fsEscape(callerId)}`),
    action('bridge', `sofia/external/${fsEscape(pin)}@${fsEscape(host)}`),
  ]);
}
