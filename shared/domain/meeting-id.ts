/** BBB accepts meeting IDs of up to 256 characters; longer ones can never name a meeting. */
export const MAX_MEETING_ID_LENGTH = 256;

export const isValidMeetingId = (id: string): boolean => id.length <= MAX_MEETING_ID_LENGTH;
