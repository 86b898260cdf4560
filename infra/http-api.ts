import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  DomainName,
  HttpApi,
  HttpStage,
  IpAddressType,
  LogGroupLogDestination,
  PayloadFormatVersion,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AaaaRecord, ARecord, HostedZone, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { type CfnElement, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DomainConfig } from './config.js';

/**
 * Pinned logical ids of what carries the balancer's names — the certificate, the custom domain names,
 * their API mappings and the DNS records — as the stack has always generated them: a refactoring that
 * moves a construct must not replace one of them, since a replacement is created before the old one is
 * deleted and the name is taken ("already exists", then a rollback).
 */
export const NAME_LOGICAL_IDS = {
  Certificate: 'HttpApiCertificate76060F2A',
  ApexDomain: 'HttpApiApexDomainF3F99060',
  WildcardDomain: 'HttpApiWildcardDomainFC8B70C2',
  ApexMapping: 'HttpApiApexMapping383E98FD',
  WildcardMapping: 'HttpApiWildcardMapping1FBF94F7',
  ApexA: 'HttpApiApexA6A0EE2A6',
  ApexAaaa: 'HttpApiApexAaaa5D1F248F',
  WildcardA: 'HttpApiWildcardA58D3035D',
  WildcardAaaa: 'HttpApiWildcardAaaa13FE9EDF',
} as const;

const pin = (construct: Construct, logicalId: string) => (construct.node.defaultChild as CfnElement).overrideLogicalId(logicalId);

export interface ScaleliteHttpApiProps {
  handler: IFunction;
  domain?: DomainConfig;
  logRetentionDays: number;
  /**
   * CloudFront is in front (recordings on): the custom domains stay — the distribution's origin, picked
   * by the viewer's Host — but the names point at the distribution (`pointNamesAt`), and with a domain
   * the API's own endpoint is switched off, so the API is reached only with a host it serves.
   */
  behindCloudFront: boolean;
  /** The stage's throttling (`apiThrottleRate`, `apiThrottleBurst`). */
  throttle: { rate: number; burst: number };
}

/**
 * Access log fields. No query string: BBB checksums and passwords travel in it.
 * (`$context.path` is the path only.)
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  host: '$context.domainName',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  bytes: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  userAgent: '$context.identity.userAgent',
};

/**
 * The BBB API endpoint: API Gateway HTTP API (v2) — the only API Gateway flavour that hands the
 * Lambda the query string byte-exact (`rawQueryString`, payload format 2.0), which BBB checksums
 * need. Every path goes to the API function (`$default` route). With a domain: the apex and the
 * wildcard (`*.<domain>`, one name per tenant) as regional custom domains, their certificate, and —
 * with a hosted zone — the A/AAAA alias records of both names: to these custom domains, or, with
 * CloudFront in front, to the distribution (the same records, so moving an API-only deployment behind
 * CloudFront updates them in place).
 */
export class ScaleliteHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly domainNames: DomainName[] = [];
  readonly certificate?: ICertificate;
  private readonly zone?: IHostedZone;
  private readonly domain?: DomainConfig;

  constructor(scope: Construct, id: string, props: ScaleliteHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'BigBlueButton load balancer: BBB API',
      createDefaultStage: false,
      // with a domain the API is reached by its names only (directly, or as CloudFront's origin): no second,
      // unthrottled-by-name way in that bypasses the distribution or the tenant's host
      disableExecuteApiEndpoint: props.domain !== undefined,
      ipAddressType: IpAddressType.DUAL_STACK,
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', props.handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        timeout: Duration.seconds(29),
      }),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // a flood is answered 429 by API Gateway before it costs Lambda time or concurrency
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const domain = props.domain;
    if (!domain) return;
    this.domain = domain;
    const zone = domain.hostedZone
      ? HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZone.id, zoneName: domain.hostedZone.name })
      : undefined;
    this.certificate = domain.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn)
      : new Certificate(this, 'Certificate', {
          domainName: domain.name,
          subjectAlternativeNames: [`*.${domain.name}`],
          // without a hosted zone: add the CNAME records ACM shows while the deployment waits
          validation: CertificateValidation.fromDns(zone),
        });
    if (this.certificate instanceof Certificate) pin(this.certificate, NAME_LOGICAL_IDS.Certificate);
    for (const [idPrefix, name] of [
      ['Apex', domain.name],
      ['Wildcard', `*.${domain.name}`],
    ] as const) {
      const domainName = new DomainName(this, `${idPrefix}Domain`, {
        domainName: name,
        certificate: this.certificate,
        securityPolicy: SecurityPolicy.TLS_1_2,
        ipAddressType: IpAddressType.DUAL_STACK,
      });
      pin(domainName, NAME_LOGICAL_IDS[`${idPrefix}Domain`]);
      const mapping = new ApiMapping(this, `${idPrefix}Mapping`, { api: this.api, domainName, stage: this.stage });
      pin(mapping, NAME_LOGICAL_IDS[`${idPrefix}Mapping`]);
      // one after the other: API Gateway creates and deletes custom domain names one at a time per account
      if (this.domainNames.length > 0) domainName.node.addDependency(this.domainNames[0]);
      this.domainNames.push(domainName);
    }
    // -c dnsRecords=false: the zone validates the certificate, the records stay the operator's (cut-over)
    this.zone = domain.dnsRecords ? zone : undefined;
    if (!props.behindCloudFront) {
      const [apex, wildcard] = this.domainNames;
      const target = (d: DomainName) => RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(d.regionalDomainName, d.regionalHostedZoneId));
      this.pointNamesAt(target(apex), target(wildcard));
    }
  }

  /** With a hosted zone: A and AAAA alias records of the apex and the wildcard to these targets (the wildcard's defaults to the apex's). */
  pointNamesAt(apexTarget: RecordTarget, wildcardTarget: RecordTarget = apexTarget): void {
    const zone = this.zone;
    if (!zone || !this.domain) return;
    for (const [idPrefix, name, target] of [
      ['Apex', this.domain.name, apexTarget],
      ['Wildcard', `*.${this.domain.name}`, wildcardTarget],
    ] as const) {
      pin(new ARecord(this, `${idPrefix}A`, { zone, recordName: name, target }), NAME_LOGICAL_IDS[`${idPrefix}A`]);
      pin(new AaaaRecord(this, `${idPrefix}Aaaa`, { zone, recordName: name, target }), NAME_LOGICAL_IDS[`${idPrefix}Aaaa`]);
    }
  }
}
