import { awsCallsOf, entryOfOutput, type AwsCall } from './code-aws-calls.ts';
import type { RenderedDeployment } from './deployments.ts';
import { createResolver } from './resolve-value.ts';

/** Something in a template that runs our code: what it runs, as whom, where, and what feeds it. */
export interface ComputeUnit {
  id: string;
  /** Logical id of the IAM role the code runs as. */
  roleId: string;
  /** The source entry of its bundle (`services/http/handler.ts`). */
  entry: string;
  environment: Record<string, string>;
  /** The log group it writes to (name). */
  logGroup: string;
  /** Logical ids of its security groups when it runs in a VPC; undefined outside one. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** ARNs of the SQS queues an event source mapping reads for it. */
  queueSources: string[];
  /** What its code can call (helpers/code-aws-calls.ts), this configuration's environment applied. */
  calls: AwsCall[];
}

const callsByEntry = new Map<string, AwsCall[]>();

/**
 * The compute units of a rendered template. Lambda functions run the image command's bundle
 * (`http.handler` → `dist/http.mjs`); a template with other compute (ECS task definitions) adds
 * its reader here.
 */
export function computeUnitsOf(deployment: RenderedDeployment): ComputeUnit[] {
  const resolve = createResolver(deployment.template, deployment.parameters);
  const resources = Object.entries(deployment.template.Resources);
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id, resource]) => {
      const props = resource.Properties ?? {};
      const command = (props.ImageConfig as { Command?: string[] } | undefined)?.Command?.[0] ?? '';
      const entry = entryOfOutput(`dist/${command.split('.')[0] ?? ''}.mjs`);
      const environment = resolve((props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, string>;
      let calls = callsByEntry.get(entry);
      if (!calls) callsByEntry.set(entry, (calls = awsCallsOf(entry)));
      const vpc = props.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown } | undefined;
      return {
        id,
        roleId: String((props.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]),
        entry,
        // Lambda sets AWS_REGION itself.
        environment: { AWS_REGION: 'eu-west-1', ...environment },
        logGroup: String(resolve((props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup ?? `/aws/lambda/${String(resolve(props.FunctionName))}`)),
        ...(vpc ? { vpc: { subnetIds: resolve(vpc.SubnetIds) as string[], securityGroupIds: resolve(vpc.SecurityGroupIds) as string[] } } : {}),
        queueSources: resources
          .filter(([, mapping]) => mapping.Type === 'AWS::Lambda::EventSourceMapping' && (mapping.Properties?.FunctionName as { Ref?: string }).Ref === id)
          .map(([, mapping]) => String(resolve(mapping.Properties?.EventSourceArn))),
        calls: calls.filter((call) => !call.when || call.when({ AWS_REGION: 'eu-west-1', ...environment })),
      };
    });
}
