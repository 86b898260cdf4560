import { describe, expect, it } from 'vitest';
import { ApiError, MESSAGES, errors } from './api-error.js';

describe('errors', () => {
  it.each([
    ['checksum', errors.checksum(), 'checksumError', 'You did not pass the checksum security check'],
    ['missingMeetingId', errors.missingMeetingId(), 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.'],
    [
      'meetingNotFound',
      errors.meetingNotFound(),
      'notFound',
      'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?',
    ],
    ['unsupportedRequest', errors.unsupportedRequest(), 'unsupportedRequest', 'This request is not supported.'],
    ['unsupportedContentType', errors.unsupportedContentType(), 'unsupportedContentType', 'POST request Content-Type is missing or unsupported'],
    ['serverUnavailable', errors.serverUnavailable(), 'serverUnavailable', 'The server for this meeting is disabled/offline.'],
    ['noServers', errors.noServers(), 'internalError', 'Could not find any available servers.'],
    ['serverTagUnavailable', errors.serverTagUnavailable('test;test2'), 'serverTagUnavailable', 'There is no available server with the required tag=test;test2.'],
    ['internal', errors.internal('Unable to create meeting on server.'), 'internalError', 'Unable to create meeting on server.'],
    ['recordingsNotFound', errors.recordingsNotFound(), 'notFound', 'We could not find recordings'],
  ])('%s → %s', (_name, error, key, message) => {
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ApiError');
    expect(error.key).toBe(key);
    expect(error.message).toBe(message);
  });

  it('creates a fresh error each time', () => {
    expect(errors.checksum()).not.toBe(errors.checksum());
  });

  it('keeps MESSAGES in line with the factories', () => {
    expect(MESSAGES.checksumError).toBe(errors.checksum().message);
    expect(MESSAGES.noServers).toBe(errors.noServers().message);
  });
});

describe('ApiError', () => {
  it('carries a key and a message', () => {
    const e = new ApiError('someKey', 'some message');
    expect(e.key).toBe('someKey');
    expect(e.message).toBe('some message');
    expect(String(e)).toBe('ApiError: some message');
  });
});
