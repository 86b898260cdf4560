import { describe, expect, it } from 'vitest';
import { bridgeToServer, fsEscape, maskedCallerId, NOT_FOUND_DOCUMENT, promptForPin, repromptForPin, rubyRegexpEscape } from './fsapi-dialplan.js';

const S = { maxDurationMinutes: 0, minDigits: 5, maxDigits: 9 };

describe('FreeSWITCH dial plans', () => {
  it('prompt for the PIN: the document, byte for byte', () => {
    expect(promptForPin('5551234', { ...S, maxDurationMinutes: 90 })).toBe(
      [
        '<document type="freeswitch/xml">',
        '  <section name="dialplan" description="Match DID and Pin for Conference">',
        '    <context name="public">',
        '      <extension name="match_did_and_prompt_for_pin">',
        '        <condition field="destination_number" expression="^5551234$">',
        '          <action application="answer"/>',
        '          <action application="sched_hangup" data="+5400 normal_clearing"/>',
        '          <action application="sleep" data="500"/>',
        '          <action application="playback" data="ivr/ivr-welcome.wav"/>',
        '          <action application="sleep" data="200"/>',
        '          <action application="play_and_get_digits" data="5 9 3 7000 # conference/conf-enter_conf_pin.wav conference/conf-bad-pin.wav pin \\d+"/>',
        '          <action application="transfer" data="${pin} XML public"/>',
        '        </condition>',
        '      </extension>',
        '    </context>',
        '  </section>',
        '</document>',
        '',
      ].join('\n'),
    );
  });

  it('no sched_hangup without a maximum duration; the digits follow VOICE_BRIDGE_MIN/MAX', () => {
    const xml = promptForPin('5551234', { maxDurationMinutes: 0, minDigits: 4, maxDigits: 10 });
    expect(xml).not.toContain('sched_hangup');
    expect(xml).toContain('data="4 10 3 7000 #');
  });

  it('re-prompt: bad pin, ask again — with the \\d+ Scalelite lost', () => {
    const xml = repromptForPin('5551234', S);
    expect(xml).toContain('<section name="dialplan" description="Reprompt Pin for Conference">');
    expect(xml).toContain('<extension name="reprompt_for_pin">');
    expect(xml.indexOf('conference/conf-bad-pin.wav"/>')).toBeLessThan(xml.indexOf('play_and_get_digits'));
    expect(xml).toContain('conf-bad-pin.wav pin \\d+"/>');
    expect(xml).not.toContain('answer');
  });

  it('bridge: meeting id, caller id and the server host, escaped', () => {
    const xml = bridgeToServer('5551234', '123456789', 'm-1', 'Ann ${x}', 'bbb1.example.com');
    expect(xml).toContain('<extension name="bridge_to_bbb_server">');
    expect(xml).toContain('<action application="set" data="meeting_id=m-1"/>');
    expect(xml).toContain('<action application="set" data="effective_caller_id_name=Ann \\${x}"/>');
    expect(xml).toContain('<action application="bridge" data="sofia/external/123456789@bbb1.example.com"/>');
  });

  it('the not-found result', () => {
    expect(NOT_FOUND_DOCUMENT).toBe('<document type="freeswitch/xml">\n  <section name="result">\n    <result status="not found"/>\n  </section>\n</document>\n');
  });

  it('escapes the DID as a Ruby regexp literal, then doubles backslashes and quotes XML', () => {
    expect(rubyRegexpEscape('+1 (555) 12.34-5*')).toBe('\\+1\\ \\(555\\)\\ 12\\.34\\-5\\*');
    expect(fsEscape('a\\b${c}')).toBe('a\\\\b\\${c}');
    const xml = promptForPin('1.2"<x>&', S);
    expect(xml).toContain('expression="^1\\\\.2&quot;&lt;x&gt;&amp;$"');
  });

  it.each([
    ['5554321', false, false, '555XXXX'],
    ['5554321', false, true, 'Unavailable'],
    ['5554321', true, false, '555XXXX'],
    ['123', false, false, 'XXX'],
    ['Ann Smith', false, false, 'Ann Smith'],
    ['Ann Smith', true, false, 'Unavailable'],
    ['Ann Smith', false, true, 'Ann Smith'],
    ['', false, false, 'Unavailable'],
  ])('caller id %j (hide name %s, hide number %s) → %j', (name, hideName, hideNumber, shown) => {
    expect(maskedCallerId(name, hideName, hideNumber)).toBe(shown);
  });
});
