import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { RECORDING_OBJECTS, UPLOAD_OBJECTS } from './recordings-bucket.js';
import type { ScaleliteStack } from './scalelite-stack.js';

/** How cdk-nag names a wildcard resource of the recordings bucket (its name is computed from pseudo parameters). */
export const bucketObjectsFinding = (bucketNamePrefix: string, pattern: string) =>
  `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketNamePrefix}-<AWS::AccountId>-<AWS::Region>-an/${pattern}]`;

/**
 * Every cdk-nag (AwsSolutions) finding the design accepts, each with its reason, in one place.
 * Acknowledged on the construct concerned, never stack-wide, so a new resource with the same
 * problem still fails `cdk synth`.
 */
export function acknowledgeFindings(stack: ScaleliteStack): void {
  const ack = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id: `AwsSolutions::${id}`, reason });

  for (const fn of [stack.api, stack.poller, stack.importer]) {
    ack(
      fn.fn,
      'AwsSolutions-L1',
      'The runtime is pinned to nodejs22.x on purpose: the version the project is built and tested for (ESM with top-level await, AWS SDK v3 provided by the runtime). Moving to a newer runtime is a tested change, not a silent one.',
    );
    ack(
      fn.role,
      'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
      'Granted by table.grantReadWriteData: Query on the GSIs of this one table (gsi1: servers, meetings of a server, due recording-ready callbacks; gsi2: meetings of a tenant, tenants; gsi3: recordings of a tenant); the wildcard covers only this table’s indexes.',
    );
  }

  // Object-level grants on the recordings bucket, one prefix each (shared/storage/storage-keys.ts)
  const prefix = stack.recordings.prefix;
  ack(
    stack.api.role,
    bucketObjectsFinding(prefix, UPLOAD_OBJECTS),
    's3:PutObject on uploads/* only: the API presigns the PUT URL a BBB server uploads its tar with (the URL carries this role’s signature); upload keys are made per server, record id and upload id, so the wildcard is the upload area, nothing else.',
  );
  ack(
    stack.api.role,
    bucketObjectsFinding(prefix, RECORDING_OBJECTS),
    's3:GetObject and s3:DeleteObject on recordings/* only: the API serves the files of published recordings (local-style playback, Scalelite’s paths) and deleteRecordings removes a recording’s files; any recording may be asked for, so the grant covers the recordings area.',
  );
  ack(
    stack.importer.role,
    bucketObjectsFinding(prefix, UPLOAD_OBJECTS),
    's3:GetObject and s3:DeleteObject on uploads/* only: the importer reads the uploaded tar the S3 event names and deletes it once the import committed; the key comes from the event, so the grant covers the upload area.',
  );
  ack(
    stack.importer.role,
    bucketObjectsFinding(prefix, RECORDING_OBJECTS),
    's3:PutObject, s3:AbortMultipartUpload and s3:DeleteObject on recordings/* only: the importer writes each file of the tar to recordings/<record id>/<format>/… (multipart for big files, aborted on failure) and removes the files a re-imported format no longer has; the record id comes from the tar.',
  );

  ack(
    stack.importFailures,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter destination: the importer’s on-failure destination (events whose import failed after Lambda’s retries). A DLQ of a DLQ would hide failures; its messages wait for an operator (alarm ImportFailures, docs/DEPLOY.md).',
  );

  for (const secret of Object.values(stack.secrets.generated)) {
    ack(
      secret,
      'AwsSolutions-SMG4',
      'A BBB shared secret / admin credential is configured on every front-end (Greenlight, Moodle, …) by hand; automatic rotation would break them. Rotate deliberately: add the new value to LOADBALANCER_SECRETS, move the front-ends, then replace (docs/DEPLOY.md).',
    );
  }

  ack(
    stack.httpApi.api.node.findChild('DefaultRoute'),
    'AwsSolutions-APIG4',
    'The BBB API authenticates every call itself: a checksum over the raw query string with the shared secret (constant-time comparison), as BigBlueButton and Scalelite do; front-ends cannot send API Gateway credentials. The admin API checks ADMIN_SECRET in the app.',
  );
}
