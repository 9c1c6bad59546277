import { planDeploymentValues } from '../../../shared/deployment-parameters.ts';
import { EnvReader } from '../../../shared/env.ts';
import { readWebhookSecretSettings } from '../../../shared/signatures/secrets.ts';
import type { AwsCall } from '../helpers/code-aws-calls.ts';
import { computeUnitsOf, type ComputeUnit } from '../helpers/compute-units.ts';
import type { RenderedDeployment } from '../helpers/deployments.ts';
import { pseudoParameters } from '../helpers/render-template.ts';
import { createResolver } from '../helpers/resolve-value.ts';
import { resourcesOf, targetOf, type Rule } from './rule.ts';

const { 'AWS::Region': region, 'AWS::AccountId': account } = pseudoParameters;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

// AWS managed policies the templates attach, as AWS publishes them.
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
const awsManagedPolicies: Record<string, Statement[]> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole': [
    {
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ],
};

/** Every Allow statement that applies to a role: inline, attached managed policies, AWS::IAM::Policy naming it. */
export function statementsOf(deployment: RenderedDeployment, roleId: string): Statement[] {
  const resolve = createResolver(deployment.template, deployment.parameters);
  const role = deployment.template.Resources[roleId];
  if (!role) throw new Error(`No role ${roleId}`);
  const documents = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument);
  const managed = ((role.Properties?.ManagedPolicyArns ?? []) as unknown[]).map((arn) => targetOf(arn) ?? String(resolve(arn)));
  for (const arn of managed) {
    const local = deployment.template.Resources[arn];
    if (local?.Type === 'AWS::IAM::ManagedPolicy') documents.push(local.Properties?.PolicyDocument);
    else if (awsManagedPolicies[arn]) documents.push({ Statement: awsManagedPolicies[arn] });
    else throw new Error(`${roleId}: unknown managed policy ${arn}`);
  }
  for (const [, policy] of resourcesOf(deployment, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    const roles = ((policy.Properties?.Roles ?? []) as unknown[]).map(targetOf);
    if (roles.includes(roleId)) documents.push(policy.Properties?.PolicyDocument);
  }
  return documents.flatMap((document) => (resolve(document) as { Statement: Statement[] }).Statement).filter((s) => s.Effect === 'Allow');
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** Whether an Allow statement grants `action` on `resource` (conditions are not evaluated). */
export function allows(statements: Statement[], action: string, resource: string): boolean {
  return statements.some(
    (s) => [s.Action].flat().some((a) => glob(a).test(action)) && [s.Resource].flat().some((r) => new RegExp(glob(r).source, '').test(resource)),
  );
}

const secretsManagerPrefix = '/aws/reference/secretsmanager/';

/** The SSM parameter names the code reads at cold start, from its own planners and this environment. */
function parameterNames(environment: Record<string, string>): string[] {
  const reader = new EnvReader(environment);
  const deployment = Object.values(planDeploymentValues(reader).paths);
  const secrets = Object.values(readWebhookSecretSettings(reader, 0).parameters);
  reader.throwIfInvalid();
  return [...deployment, ...secrets];
}

// Batch calls are authorised by their single-message actions ("you cannot set permissions
// explicitly for SendMessageBatch, DeleteMessageBatch, or ChangeMessageVisibilityBatch").
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html
const batchActions: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** The (action, resource) pairs a unit needs for one call of its code, in this configuration. */
function needsOf(call: AwsCall & { action: string }, unit: ComputeUnit, deployment: RenderedDeployment): [string, string][] {
  const action = batchActions[call.action] ?? call.action;
  const env = unit.environment;
  const queueArn = (url: string) => url.replace(/^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d+)\/(.+)$/, 'arn:aws:sqs:$1:$2:$3');
  switch (action) {
    case 'ssm:GetParameters': {
      const names = parameterNames(env);
      // A Secrets Manager secret read through SSM: GetSecretValue on the secret (its ARN ends in
      // a random 6-character suffix), and kms:Decrypt on a customer managed key, if one is used.
      // https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
      const secrets = names.filter((name) => name.startsWith(secretsManagerPrefix)).map((name) => name.slice(secretsManagerPrefix.length));
      const key = deployment.parameters.SecretsKmsKeyArn;
      return [
        ...names.map((name): [string, string] => [action, `arn:aws:ssm:${region}:${account}:parameter${name}`]),
        ...secrets.map((name): [string, string] => ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:${account}:secret:${name}-Ab12Cd`]),
        ...(key ? [['kms:Decrypt', key] as [string, string]] : []),
      ];
    }
    case 'dynamodb:GetItem':
    case 'dynamodb:PutItem':
    case 'dynamodb:UpdateItem':
    case 'dynamodb:DeleteItem':
      // Without a table the app keeps idempotency records in memory and calls nothing.
      return env.IDEMPOTENCY_TABLE ? [[action, `arn:aws:dynamodb:${region}:${account}:table/${env.IDEMPOTENCY_TABLE}`]] : [];
    case 'sqs:SendMessage': {
      // A queue under a customer managed key: the sender makes data keys and decrypts them.
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
      const key = deployment.parameters.KmsKeyArn;
      // The gateway (the container's) queues webhooks; the worker parks in the DLQ.
      const url = call.from.startsWith('services/server/gateway.ts') ? env.QUEUE_URL : env.DLQ_URL;
      if (!url) return [];
      return [[action, queueArn(url)], ...(key ? ['kms:GenerateDataKey', 'kms:Decrypt'].map((a): [string, string] => [a, key]) : [])];
    }
    // The container's queue consumer does what Lambda's event source mapping does for the worker,
    // and extends or hands back visibility; it reads the queue's ARN, timeout and size at start.
    case 'sqs:ReceiveMessage':
    case 'sqs:DeleteMessage':
    case 'sqs:ChangeMessageVisibility':
    case 'sqs:GetQueueAttributes': {
      const key = deployment.parameters.KmsKeyArn;
      if (!env.QUEUE_URL) return [];
      return [[action, queueArn(env.QUEUE_URL)], ...(key && action === 'sqs:ReceiveMessage' ? [['kms:Decrypt', key] as [string, string]] : [])];
    }
    // Only to find the DLQ from the redrive policy when DLQ_URL is not given.
    case 'sqs:GetQueueUrl':
      return env.QUEUE_URL && !env.DLQ_URL ? [[action, queueArn(env.QUEUE_URL).replace(/[^:]+$/, '*')]] : [];
    default:
      throw new Error(`No rule knows which resource ${action} (called by ${unit.entry}, from ${call.from}) acts on: teach rules/iam.ts`);
  }
}

/**
 * Each function's role allows every call its code makes (derived from the code, not listed by
 * hand), what its SQS event source mapping needs, writing its logs, and (in a VPC) managing its
 * network interfaces.
 */
export const grantsWhatTheCodeCalls: Rule = {
  title: "grants each function's role every AWS call its code makes",
  source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
  check: (deployment) =>
    computeUnitsOf(deployment).flatMap((unit) => {
      const statements = statementsOf(deployment, unit.roleId);
      const needs: [string, string][] = [
        ...unit.calls.flatMap((call) => (call.action ? needsOf({ ...call, action: call.action }, unit, deployment) : [])),
        // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions
        ...unit.queueSources.flatMap((queue) => ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a): [string, string] => [a, queue])),
        ...(unit.queueSources.length > 0 && deployment.parameters.KmsKeyArn ? [['kms:Decrypt', deployment.parameters.KmsKeyArn] as [string, string]] : []),
        // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html (permissions)
        ...(unit.logGroup ? ['logs:CreateLogStream', 'logs:PutLogEvents'].map((a): [string, string] => [a, `arn:aws:logs:${region}:${account}:log-group:${unit.logGroup}:log-stream:2026/01/01/[$LATEST]abc`]) : []),
        // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
        // (ECS creates a task's network interface with its own service-linked role.)
        ...(unit.vpc && unit.kind === 'lambda' ? ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'].map((a): [string, string] => [a, '*']) : []),
      ];
      const seen = new Set<string>();
      return needs.flatMap(([action, resource]) => {
        const key = `${action} ${resource}`;
        if (seen.has(key)) return [];
        seen.add(key);
        return allows(statements, action, resource) ? [] : [`${unit.id} (${unit.roleId}) may not ${action} on ${resource}`];
      });
    }),
};

/**
 * The role API Gateway assumes for an SQS integration may send to the queue the integration
 * names (REST: `sqs:path/{account}/{queue}`; HTTP API: `QueueUrl`).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html
 */
export const gatewayMaySendToItsQueue: Rule = {
  title: 'lets API Gateway send to the queue each SQS integration names',
  source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html',
  check: (deployment) => {
    const resolve = createResolver(deployment.template, deployment.parameters);
    const queueArn = (url: string) => url.replace(/^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d+)\/(.+)$/, 'arn:aws:sqs:$1:$2:$3');
    const integrations = [
      ...resourcesOf(deployment, 'AWS::ApiGateway::Method').flatMap(([id, method]) => {
        const integration = method.Properties?.Integration as { Type?: string; Uri?: unknown; Credentials?: unknown } | undefined;
        const uri = String(resolve(integration?.Uri ?? ''));
        const match = /:sqs:path\/(\d+)\/(.+)$/.exec(uri);
        return integration?.Type === 'AWS' && match ? [{ id, role: targetOf(integration.Credentials), queue: `arn:aws:sqs:${region}:${match[1]}:${match[2]}` }] : [];
      }),
      ...resourcesOf(deployment, 'AWS::ApiGatewayV2::Integration').flatMap(([id, integration]) => {
        const props = integration.Properties ?? {};
        if (!String(props.IntegrationSubtype).startsWith('SQS-')) return [];
        return [{ id, role: targetOf(props.CredentialsArn), queue: queueArn(String(resolve((props.RequestParameters as { QueueUrl: unknown }).QueueUrl))) }];
      }),
    ];
    const key = deployment.parameters.KmsKeyArn;
    return integrations.flatMap(({ id, role, queue }) => {
      if (!role) return [`${id}: no role of this template to send with`];
      const statements = statementsOf(deployment, role);
      const needs: [string, string][] = [['sqs:SendMessage', queue], ...(key ? ['kms:GenerateDataKey', 'kms:Decrypt'].map((a): [string, string] => [a, key]) : [])];
      return needs.flatMap(([action, resource]) => (allows(statements, action, resource) ? [] : [`${id}: ${role} may not ${action} on ${resource}`]));
    });
  },
};
