import type { Server } from '../../shared/domain/entities.js';

/** A polled, enabled, online server with no load, for unit tests; `over` changes any attribute. */
export const makeServer = (over: Partial<Server> = {}): Server => ({
  id: 'bbb-1',
  url: 'https://bbb1.example.com/bigbluebutton/api',
  secret: 's',
  state: 'enabled',
  online: true,
  load: 0,
  meetings: 0,
  users: 0,
  largestMeeting: 0,
  videos: 0,
  healthyCounter: 0,
  unhealthyCounter: 0,
  ...over,
});
