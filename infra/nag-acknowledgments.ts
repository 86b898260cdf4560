import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ScaleliteStack } from './scalelite-stack.js';

/**
 * Every cdk-nag (AwsSolutions) finding the design accepts, each with its reason, in one place.
 * Acknowledged on the construct concerned, never stack-wide, so a new resource with the same
 * problem still fails `cdk synth`.
 */
export function acknowledgeFindings(stack: ScaleliteStack): void {
  const ack = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id: `AwsSolutions::${id}`, reason });

  for (const fn of [stack.api, stack.poller]) {
    ack(
      fn.fn,
      'AwsSolutions-L1',
      'The runtime is pinned to nodejs22.x on purpose: the version the project is built and tested for (ESM with top-level await, AWS SDK v3 provided by the runtime). Moving to a newer runtime is a tested change, not a silent one.',
    );
    ack(
      fn.role,
      'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
      'Granted by table.grantReadWriteData: Query on the GSIs gsi1 (servers, meetings of a server) and gsi2 (meetings of a tenant, tenants) of this one table; the wildcard covers only this table’s indexes.',
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
    stack.httpApi.api.node.findChild('DefaultRoute'),
    'AwsSolutions-APIG4',
    'The BBB API authenticates every call itself: a checksum over the raw query string with the shared secret (constant-time comparison), as BigBlueButton and Scalelite do; front-ends cannot send API Gateway credentials. The admin API checks ADMIN_SECRET in the app.',
  );
}
