import { awsCallsOf, entryOfOutput, type AwsCall } from './code-aws-calls.ts';
import type { RenderedDeployment } from './deployments.ts';
import { createResolver } from './resolve-value.ts';

/** Something in a template that runs our code: what it runs, as whom, where, and what feeds it. */
export interface ComputeUnit {
  id: string;
  kind: 'lambda' | 'ecs-task';
  /** Logical id of the IAM role the code runs as. */
  roleId: string;
  /** The source entry of its bundle (`services/http/handler.ts`). */
  entry: string;
  environment: Record<string, string>;
  /** The log group it writes to itself (name); empty when something else writes its logs (ECS's awslogs driver, as the execution role). */
  logGroup: string;
  /** Logical ids of its security groups when it runs in a VPC; undefined outside one. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** ARNs of the SQS queues an event source mapping reads for it. */
  queueSources: string[];
  /** What its code can call (helpers/code-aws-calls.ts), this configuration's environment applied. */
  calls: AwsCall[];
  /** What the platform calls from the unit's network on its behalf, as another role: none for Lambda. */
  platformCalls: AwsCall[];
}

// A Fargate task's image pull and log shipping go out through the task's own network interface:
// from private subnets they need ECR's API and registry endpoints, S3 (the image layers) and
// CloudWatch Logs (the awslogs driver), as endpoints or through NAT.
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
const fargateSource = 'Fargate, as the execution role (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html)';
const fargateCalls: AwsCall[] = [
  { action: 'ecr:GetAuthorizationToken', endpoint: 'ecr.api', from: fargateSource },
  { action: 'ecr:BatchGetImage', endpoint: 'ecr.dkr', from: fargateSource },
  { action: 'ecr:GetDownloadUrlForLayer', endpoint: 's3', from: fargateSource },
  { action: 'logs:PutLogEvents', endpoint: 'logs', from: fargateSource },
];

const callsByEntry = new Map<string, AwsCall[]>();
const warned = new Set<string>();

function callsOf(entry: string): AwsCall[] {
  let calls = callsByEntry.get(entry);
  if (!calls) callsByEntry.set(entry, (calls = awsCallsOf(entry)));
  return calls;
}

/** The source entry of a bundle in dist/, or undefined when `npm run build` does not make it. */
function entryOf(bundle: string): string | undefined {
  try {
    return entryOfOutput(`dist/${bundle}`);
  } catch {
    return undefined;
  }
}

/**
 * The compute units of a rendered template: Lambda functions run the image command's bundle
 * (`http.handler` → `dist/http.mjs`); ECS task definitions the bundle their container command
 * names (`node server.mjs` → `dist/server.mjs`), as their task role. A task whose bundle the
 * build does not make yet is left out with a warning (its template cannot run either).
 */
export function computeUnitsOf(deployment: RenderedDeployment): ComputeUnit[] {
  return [...lambdaUnits(deployment), ...taskUnits(deployment)];
}

function taskUnits(deployment: RenderedDeployment): ComputeUnit[] {
  const resolve = createResolver(deployment.template, deployment.parameters);
  return Object.entries(deployment.template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::ECS::TaskDefinition')
    .flatMap(([id, resource]) => {
      const props = resource.Properties ?? {};
      const container = (props.ContainerDefinitions as { Command?: string[]; EntryPoint?: string[]; Environment?: { Name: unknown; Value: unknown }[] }[] | undefined)?.[0];
      const bundle = [...(container?.EntryPoint ?? []), ...(container?.Command ?? [])].find((word) => word.endsWith('.mjs')) ?? '';
      const entry = entryOf(bundle);
      if (!entry) {
        const warning = `${deployment.file}: ${id} runs ${bundle || 'no bundle'}, which npm run build does not make: its AWS calls are not checked`;
        if (!warned.has(warning)) console.warn(`    ${warning}`);
        warned.add(warning);
        return [];
      }
      const environment = Object.fromEntries((container?.Environment ?? []).map((pair) => [String(resolve(pair.Name)), String(resolve(pair.Value))]));
      // In a VPC's private subnets when its service gives the tasks no public IP.
      const network = Object.values(deployment.template.Resources)
        .filter((service) => service.Type === 'AWS::ECS::Service' && (service.Properties?.TaskDefinition as { Ref?: string } | undefined)?.Ref === id)
        .map((service) => (service.Properties?.NetworkConfiguration as { AwsvpcConfiguration?: Record<string, unknown> } | undefined)?.AwsvpcConfiguration)[0];
      const vpc = network?.AssignPublicIp === 'DISABLED' ? { subnetIds: resolve(network.Subnets) as string[], securityGroupIds: resolve(network.SecurityGroups) as string[] } : undefined;
      return [
        {
          id,
          kind: 'ecs-task',
          roleId: String((props.TaskRoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]),
          entry,
          environment,
          logGroup: '',
          ...(vpc ? { vpc } : {}),
          queueSources: [],
          calls: callsOf(entry).filter((call) => !call.when || call.when(environment)),
          platformCalls: fargateCalls,
        },
      ];
    });
}

function lambdaUnits(deployment: RenderedDeployment): ComputeUnit[] {
  const resolve = createResolver(deployment.template, deployment.parameters);
  const resources = Object.entries(deployment.template.Resources);
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id, resource]) => {
      const props = resource.Properties ?? {};
      const command = (props.ImageConfig as { Command?: string[] } | undefined)?.Command?.[0] ?? '';
      const entry = entryOfOutput(`dist/${command.split('.')[0] ?? ''}.mjs`);
      const environment = resolve((props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, string>;
      const calls = callsOf(entry);
      const vpc = props.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown } | undefined;
      return {
        id,
        kind: 'lambda',
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
        // Lambda pulls the image and writes the logs itself, from outside the VPC.
        platformCalls: [],
      };
    });
}
