/**
 * The one error type of the BBB API. `key` is the BBB messageKey (the typed code);
 * the HTTP layer renders it as the BBB error document, the CLI maps it to an exit code.
 */
export class ApiError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const MESSAGES = {
  checksumError: 'You did not pass the checksum security check',
  missingParamMeetingID: 'You must specify a meeting ID for the meeting.',
  notFound: 'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?',
  unsupportedRequest: 'This request is not supported.',
  unsupportedContentType: 'POST request Content-Type is missing or unsupported',
  serverUnavailable: 'The server for this meeting is disabled/offline.',
  noServers: 'Could not find any available servers.',
  recordingsNotFound: 'We could not find recordings',
} as const;

export const errors = {
  checksum: () => new ApiError('checksumError', MESSAGES.checksumError),
  missingMeetingId: () => new ApiError('missingParamMeetingID', MESSAGES.missingParamMeetingID),
  meetingNotFound: () => new ApiError('notFound', MESSAGES.notFound),
  unsupportedRequest: () => new ApiError('unsupportedRequest', MESSAGES.unsupportedRequest),
  unsupportedContentType: () => new ApiError('unsupportedContentType', MESSAGES.unsupportedContentType),
  serverUnavailable: () => new ApiError('serverUnavailable', MESSAGES.serverUnavailable),
  noServers: () => new ApiError('internalError', MESSAGES.noServers),
  serverTagUnavailable: (tags: string) =>
    new ApiError('serverTagUnavailable', `There is no available server with the required tag=${tags}.`),
  internal: (message: string) => new ApiError('internalError', message),
  invalidMeetingId: () => new ApiError('invalidMeetingIdentifier', 'The meeting ID must be at most 256 characters long.'),
  recordingsNotFound: () => new ApiError('notFound', MESSAGES.recordingsNotFound),
};
