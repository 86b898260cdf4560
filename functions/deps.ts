import { type LambdaFunction, lambdaDeps } from './lambda-deps.js';
import { recordingsBucket } from './recordings-bucket.js';

/**
 * The composition root of the functions that reach the recordings bucket: the API (presigned upload URLs,
 * deleteRecordings, the presentation player's files), the importer (reads uploads, writes recordings, the
 * retention job) and the admin function (`recordings:purge`). The poller has its own, without the bucket
 * (functions/poller/deps.ts).
 */
export const bucketDeps = (fn: Exclude<LambdaFunction, 'poller'>) => lambdaDeps(fn, recordingsBucket);
