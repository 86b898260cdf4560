import { type CfnElement, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { PLAYBACK_OBJECTS, RECORDING_OBJECTS, UPLOAD_OBJECTS } from './recordings-bucket.js';
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

  const functions = [stack.api, stack.poller, stack.admin, ...(stack.recordings ? [stack.recordings.importer] : [])];
  for (const fn of functions) {
    ack(
      fn.fn,
      'AwsSolutions-L1',
      `The runtime is chosen on purpose (${stack.config.lambdaRuntime}, -c lambdaRuntime=nodejs22.x|nodejs24.x): a version the project is built and tested for (ESM with top-level await; the AWS SDK bundled by default). Moving to a newer runtime is a tested change, not a silent one.`,
    );
    ack(
      fn.role,
      'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
      'Granted by table.grantReadWriteData: Query on the GSIs of this one table (gsi1: servers, meetings of a server, due recording-ready callbacks; gsi2: meetings of a tenant, tenants; gsi3: recordings of a tenant); the wildcard covers only this table’s indexes.',
    );
  }

  for (const secret of Object.values(stack.secrets.generated)) {
    ack(
      secret,
      'AwsSolutions-SMG4',
      'A BBB shared secret / admin credential is configured on every front-end (Greenlight, Moodle, …) by hand; automatic rotation would break them. Rotate deliberately: add the new value to LOADBALANCER_SECRETS, move the front-ends, then replace (docs/DEPLOY.md).',
    );
  }

  ack(
    stack.operatorPolicy,
    `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.admin.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    'The slctl operator policy allows lambda:InvokeFunction on the admin function only: its ARN, and with `:*` the same function’s versions and aliases (a qualified invocation such as --qualifier $LATEST is authorized against the qualified ARN). The wildcard never reaches another function.',
  );

  ack(
    stack.httpApi.api.node.findChild('DefaultRoute'),
    'AwsSolutions-APIG4',
    'The BBB API authenticates every call itself: a checksum over the raw query string with the shared secret (constant-time comparison), as BigBlueButton and Scalelite do; front-ends cannot send API Gateway credentials. The admin API /scalelite/api is off unless -c adminApi=true, and then checks ADMIN_SECRET in the app; operators use the admin function through IAM instead.',
  );

  if (stack.recordings) acknowledgeRecordings(stack, ack);
}

type Ack = (construct: IConstruct, id: string, reason: string) => void;

/** The findings of the recordings part: object grants by prefix, the dead-letter queue, the signing key, CloudFront. */
function acknowledgeRecordings(stack: ScaleliteStack, ack: Ack): void {
  const { bucket, importer, importFailures } = stack.recordings!;
  // Object-level grants on the recordings bucket, one prefix each (shared/storage/storage-keys.ts)
  const prefix = bucket.prefix;
  ack(
    stack.api.role,
    bucketObjectsFinding(prefix, UPLOAD_OBJECTS),
    's3:PutObject on uploads/* only: the API presigns the PUT URL a BBB server uploads its tar with (the URL carries this role’s signature); upload keys are made per server, record id and upload id, so the wildcard is the upload area, nothing else.',
  );
  ack(
    stack.api.role,
    bucketObjectsFinding(prefix, RECORDING_OBJECTS),
    's3:GetObject and s3:DeleteObject on recordings/* only: the API serves the thumbnails of published recordings (checked per request, <img> tags carry no playback cookie) and the local-style file route, and deleteRecordings removes a recording’s files; any recording may be asked for, so the grant covers the recordings area.',
  );
  ack(
    stack.api.role,
    bucketObjectsFinding(prefix, PLAYBACK_OBJECTS),
    's3:GetObject on playback/* only: the API serves the presentation player’s index.html at /playback/presentation/2.3/<record id> after the play checks; the player’s files (installed by slctl playback:install) are the playback area, nothing else.',
  );
  ack(
    stack.admin.role,
    bucketObjectsFinding(prefix, RECORDING_OBJECTS),
    's3:DeleteObject on recordings/* only (and s3:ListBucket of the bucket limited to the s3:prefix recordings/*): slctl recordings:purge, run in the admin function, deletes the files of expired recordings, each under recordings/<record id>/; which recordings expire is decided at run time, so the grant covers the recordings area. No object is read.',
  );
  ack(
    importer.role,
    bucketObjectsFinding(prefix, UPLOAD_OBJECTS),
    's3:GetObject and s3:DeleteObject on uploads/* only: the importer reads the uploaded tar the S3 event names and deletes it once the import committed; the key comes from the event, so the grant covers the upload area.',
  );
  ack(
    importer.role,
    bucketObjectsFinding(prefix, RECORDING_OBJECTS),
    's3:PutObject, s3:AbortMultipartUpload and s3:DeleteObject on recordings/* only: the importer writes each file of the tar to recordings/<record id>/<format>/… (multipart for big files, aborted on failure), removes the files a re-imported format no longer has, and its retention job deletes expired recordings; the record id comes from the tar or the table.',
  );

  ack(
    importFailures,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter destination: the importer’s on-failure destination (events whose import failed after Lambda’s retries). A DLQ of a DLQ would hide failures; its messages wait for an operator (alarm ImportFailures, docs/DEPLOY.md).',
  );

  const key = stack.playbackKey;
  if (key) {
    ack(
      key.secret,
      'AwsSolutions-SMG4',
      'The playback signing key must match the public key in the distribution’s key group; a Secrets Manager rotation cannot change CloudFront. It is replaced with the stack: -c playbackKeyVersion=<next number> generates a new key and a new public key in one deployment (docs/DEPLOY.md).',
    );
  }

  const cdn = stack.cdn;
  if (cdn) {
    const distribution = cdn.distribution;
    ack(
      distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: meetings and recordings are viewed wherever participants are; the audience is the front-end’s to decide. An operator who must restrict countries adds a geo restriction (Distribution geoRestriction) or a WAF rule.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR2',
      'No WAF web ACL by default: it costs a fixed monthly fee per ACL plus per request, and the BBB API checks a checksum on every call while files need a signed cookie. An operator facing abuse attaches a web ACL (us-east-1, CLOUDFRONT scope) with AWS managed rules and rate-based rules to the distribution (docs/DEPLOY.md).',
    );
    ack(
      distribution,
      'AwsSolutions-CFR3',
      'No standard (legacy) access logs: they need a log bucket with ACLs enabled, and the recordings buckets enforce bucket-owner ownership without ACLs. The API’s requests are logged by the HTTP API’s access log; CloudFront’s own metrics cover the rest. An operator who needs per-request edge logs turns on standard logging v2 for the distribution (docs/DEPLOY.md).',
    );
    if (!stack.config.domain) {
      ack(
        distribution,
        'AwsSolutions-CFR4',
        'Without -c domain the distribution answers on its own *.cloudfront.net name with CloudFront’s default certificate, whose security policy CloudFront fixes (no minimum protocol version can be set). That is for trying the stack out; a production deployment gives -c domain and -c cloudFrontCertificateArn, and the distribution then requires TLSv1.2_2021.',
      );
    }
  }
}
