/**
 * Recording retention (RECORDING_RETENTION_DAYS, a tenant's `lb_recording_retention_days`): expired
 * recordings are deleted, files and metadata, by a scheduled job.
 */

/** The event that runs the retention job in the importer Lambda (a daily EventBridge rule sends it). */
export const RETENTION_JOB = 'recording-retention';
export interface RetentionJobEvent {
  job: typeof RETENTION_JOB;
}
