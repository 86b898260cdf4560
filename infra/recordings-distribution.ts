import { Duration, Stack } from 'aws-cdk-lib';
import type { DomainName, HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachedMethods,
  CachePolicy,
  type CfnDistribution,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  type IKeyGroup,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  Signing,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RECORDING_NOT_FOUND_PATH } from '../shared/domain/recording-not-found.js';
import { PLAYER_PATH } from '../shared/storage/storage-keys.js';
import type { CloudFrontConfig, DomainConfig } from './config.js';
import { forwardedHostFunctionCode, recordingFilesFunctionCode } from './edge-functions.js';
import { PrivateBucketOrigin } from './private-bucket-origin.js';
import { PLAYBACK_OBJECTS, RECORDING_OBJECTS, type RecordingsBucket } from './recordings-bucket.js';

/** The bucket areas the distribution may read: the recordings' files and the presentation player. Never `uploads/`. */
export const DISTRIBUTION_READS = [RECORDING_OBJECTS, PLAYBACK_OBJECTS] as const;
/** The thumbnails of presentations stay with the API: front-ends show them in <img> tags, which carry no playback cookie. */
export const THUMBNAILS_PATH = '/presentation/*/thumbnails/*';
/** The player's static files (a name with a dot): public, straight from the bucket; `/playback/presentation/2.3/<id>` stays with the API. */
export const PLAYER_FILES_PATH = `${PLAYER_PATH}*.*`;
/** How long CloudFront keeps "Recording Not Found" for a refused file before asking again. */
export const ERROR_CACHING = Duration.seconds(10);
/** API Gateway answers within 29 s; CloudFront waits a little longer for it. */
export const API_ORIGIN_READ_TIMEOUT = Duration.seconds(30);

/**
 * Pinned, as the stack has always generated it: the distribution holds the balancer's names as its
 * aliases, and a replacement would be created while the old one still holds them (CNAMEAlreadyExists).
 */
export const DISTRIBUTION_LOGICAL_ID = 'CdnDistribution149FA6C8';

export interface RecordingsDistributionProps {
  api: HttpApi;
  /** With a domain: the apex custom domain of the HTTP API (the origin; the wildcard's requests reach it by their Host). */
  apiDomain?: DomainName;
  domain?: DomainConfig;
  cloudFront: CloudFrontConfig;
  recordings: RecordingsBucket;
  keyGroup: IKeyGroup;
  /** RECORDING_PLAYBACK_FORMATS: one file behaviour each */
  formats: readonly string[];
}

/**
 * CloudFront in front of everything viewers and front-ends reach, on the balancer's host names:
 *
 * - default: the HTTP API — caching disabled, every method, every query string, header and cookie passed
 *   (the BBB checksum covers the raw query). With a domain the viewer's Host goes along (AllViewer) to the
 *   API's custom domain, which API Gateway picks by that Host, so `<tenant>.<domain>` reaches the API
 *   with its host and tenant resolution works; the HTTP API's own endpoint is switched off. Without a
 *   domain the origin is the API's own endpoint, which only answers to its own Host: the viewer's goes
 *   as X-Forwarded-Host (a CloudFront Function; the stack sets TRUST_FORWARDED_HOST).
 * - `/<format>/*` for each playback format: the bucket (origin access control), only with a signed
 *   cookie of the stack's key group; a CloudFront Function maps the path to the bucket key and refuses
 *   unsafe paths; cached at the edge (CachingOptimized: the cookies are no part of the cache key,
 *   CloudFront checks them on every request, cache hits included).
 * - the presentation player's files: the bucket, public, cached.
 * - a 403 (no or a bad cookie, or — without s3:ListBucket — a missing file) becomes a 404 with Scalelite's
 *   "Recording Not Found" page, which the API serves at RECORDING_NOT_FOUND_PATH.
 *
 * The bucket policy lets this distribution read DISTRIBUTION_READS only; public access stays blocked.
 * The DNS records (with a hosted zone) are the HTTP API's, pointed here by the stack.
 */
export class RecordingsDistribution extends Construct {
  readonly distribution: Distribution;
  readonly recordingFiles: EdgeFunction;
  readonly forwardedHost?: EdgeFunction;
  readonly originAccessControl: S3OriginAccessControl;

  constructor(scope: Construct, id: string, props: RecordingsDistributionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { domain } = props;

    const apiOriginHost = props.apiDomain ? props.apiDomain.regionalDomainName : `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    const apiOrigin = new HttpOrigin(apiOriginHost, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      readTimeout: API_ORIGIN_READ_TIMEOUT,
    });
    if (!domain) {
      this.forwardedHost = new EdgeFunction(this, 'ForwardedHost', {
        code: FunctionCode.fromInline(forwardedHostFunctionCode()),
        runtime: FunctionRuntime.JS_2_0,
        comment: 'Passes the viewer host to the API as X-Forwarded-Host',
      });
    }
    const apiBehavior: BehaviorOptions = {
      origin: apiOrigin,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: domain ? OriginRequestPolicy.ALL_VIEWER : OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      functionAssociations: this.forwardedHost ? [{ function: this.forwardedHost, eventType: FunctionEventType.VIEWER_REQUEST }] : undefined,
    };

    this.recordingFiles = new EdgeFunction(this, 'RecordingFiles', {
      code: FunctionCode.fromInline(recordingFilesFunctionCode()),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Maps /<format>/<record id>/... to the bucket keys; refuses unsafe paths',
    });
    this.originAccessControl = new S3OriginAccessControl(this, 'BucketAccess', {
      description: 'CloudFront reads the recordings bucket (SigV4)',
      signing: Signing.SIGV4_ALWAYS,
    });
    const bucketOrigin = new PrivateBucketOrigin(props.recordings.bucket, this.originAccessControl);
    const fileBehavior = (signed: boolean): BehaviorOptions => ({
      origin: bucketOrigin,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      trustedKeyGroups: signed ? [props.keyGroup] : undefined,
      functionAssociations: [{ function: this.recordingFiles, eventType: FunctionEventType.VIEWER_REQUEST }],
    });

    // in precedence order: CloudFront takes the first pattern that matches
    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    if (props.formats.includes('presentation')) additionalBehaviors[THUMBNAILS_PATH] = apiBehavior;
    additionalBehaviors[PLAYER_FILES_PATH] = fileBehavior(false);
    for (const format of props.formats) additionalBehaviors[`/${format}/*`] = fileBehavior(true);

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${stack.stackName}: BBB API and recordings${domain ? ` (${domain.name})` : ''}`,
      defaultBehavior: apiBehavior,
      additionalBehaviors,
      // with a domain: its certificate (us-east-1), TLS 1.2 at least, SNI; without: CloudFront's own name and certificate
      ...(domain
        ? {
            domainNames: [domain.name, `*.${domain.name}`],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.cloudFront.certificateArn!),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: SSLMethod.SNI,
          }
        : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.cloudFront.priceClass as PriceClass,
      errorResponses: [{ httpStatus: 403, responseHttpStatus: 404, responsePagePath: RECORDING_NOT_FOUND_PATH, ttl: ERROR_CACHING }],
    });
    (this.distribution.node.defaultChild as CfnDistribution).overrideLogicalId(DISTRIBUTION_LOGICAL_ID);

    props.recordings.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DistributionReadsServedFiles',
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: DISTRIBUTION_READS.map((pattern) => props.recordings.bucket.arnForObjects(pattern)),
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
  }
}
