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
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DomainConfig } from './config.js';

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
      disableExecuteApiEndpoint: props.behindCloudFront && props.domain !== undefined,
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
      new ApiMapping(this, `${idPrefix}Mapping`, { api: this.api, domainName, stage: this.stage });
      this.domainNames.push(domainName);
    }
    this.zone = zone;
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
      new ARecord(this, `${idPrefix}A`, { zone, recordName: name, target });
      new AaaaRecord(this, `${idPrefix}Aaaa`, { zone, recordName: name, target });
    }
  }
}
