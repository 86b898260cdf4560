import { type CfnDistribution, type IOriginAccessControl, type OriginBindConfig, type OriginBindOptions, OriginBase, type OriginProps } from 'aws-cdk-lib/aws-cloudfront';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * An S3 origin reached through an origin access control, whose bucket policy the caller writes.
 *
 * `S3BucketOrigin.withOriginAccessControl` grants the distribution `s3:GetObject` on every object of the
 * bucket (`<bucket>/*`); the recordings bucket also holds the uploads (`uploads/`), which CloudFront must
 * never read. This origin renders the same origin configuration (regional domain name, no origin access
 * identity, the OAC id) and leaves the grant to the stack, which allows the distribution the served
 * prefixes only (RecordingsDistribution).
 */
export class PrivateBucketOrigin extends OriginBase {
  constructor(
    bucket: IBucket,
    private readonly originAccessControl: IOriginAccessControl,
    props: OriginProps = {},
  ) {
    super(bucket.bucketRegionalDomainName, props);
  }

  override bind(scope: Construct, options: OriginBindOptions): OriginBindConfig {
    const config = super.bind(scope, options);
    return { ...config, originProperty: { ...config.originProperty!, originAccessControlId: this.originAccessControl.originAccessControlId } };
  }

  protected override renderS3OriginConfig(): CfnDistribution.S3OriginConfigProperty {
    // required with an OAC: an empty origin access identity
    return { originAccessIdentity: '' };
  }
}
