/** The BBB errors of the recording calls (reference §1.2 catalogue, §5.3–5.6), exact strings. */
import { ApiError, errors } from './api-error.js';

export const recordingErrors = {
  /** getRecordings with GET_RECORDINGS_API_FILTERED and neither recordID nor meetingID */
  missingParameters: () => new ApiError('missingParameters', 'param meetingID or recordID must be included.'),
  missingRecordId: () => new ApiError('missingParamRecordID', 'You must specify a recordID.'),
  missingPublish: () => new ApiError('missingParamPublish', 'You must specify a publish value true or false.'),
  /** publish/delete found nothing (also every write call while recordings are disabled) */
  notFound: () => errors.recordingsNotFound(),
  publishFailed: () => new ApiError('internalError', 'Unable to publish/unpublish recording.'),
  deleteFailed: () => new ApiError('internalError', 'Unable to delete recording.'),
};
