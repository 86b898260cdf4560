import { bucketDeps } from '../deps.js';
import { withInvocationLogging } from '../lambda-logger.js';
import { lambdaMetrics, withMetrics } from '../lambda-metrics.js';
import { createImporterHandler } from './importer-handler.js';

const { deps, log } = await bucketDeps('importer');

/**
 * Invoked asynchronously by S3 for every upload (`uploads/…/*.tar`): imports it, and throws when an
 * upload could not be imported — Lambda retries, then sends the event to the ImportFailures queue.
 * Also invoked daily by an EventBridge rule with `{ "job": "recording-retention" }`: deletes the expired
 * recordings (shared/app/recording-retention.ts) and returns the report.
 */
export const handler = withMetrics(withInvocationLogging(log, createImporterHandler(() => deps)), lambdaMetrics);
