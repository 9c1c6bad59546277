import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ensureBuilt } from '../helpers/build.ts';
import { resolveHandler } from '../helpers/lambda-handler.ts';
import { loadTemplate, resource, resourcesOfType, type Resource } from './helpers/cloudformation-yaml.ts';
import { imageUri } from './helpers/deployments.ts';
import { renderTemplate } from './helpers/render-template.ts';
import { createResolver } from './helpers/resolve-value.ts';

// Invariants of infra/service.yaml that a deploy would not catch until webhooks are lost.
const template = loadTemplate('infra/service.yaml');
const props = (logicalId: string) => resource(template, logicalId).Properties ?? {};
const deploymentBase = { DeploymentId: 'acme', PipelineId: 'main', ImageUri: imageUri, SubnetIds: '', SecurityGroupIds: '' };

function getAttTarget(value: unknown): string | undefined {
  return (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
}

function refTarget(value: unknown): string | undefined {
  return (value as { Ref?: string }).Ref;
}

function policyStatements(role: Resource): { Action: string | string[]; Resource: unknown }[] {
  const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The resources each action is allowed on (logical ids for Ref/GetAtt), across a role's policies. */
function grants(role: Resource): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const statement of policyStatements(role)) {
    const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(
      (r) => getAttTarget(r) ?? refTarget(r) ?? JSON.stringify(r),
    );
    for (const action of [statement.Action].flat()) (result[action] ??= []).push(...resources);
  }
  return result;
}

describe('infra/service.yaml', () => {
  it('queues into a high-throughput FIFO queue with a FIFO DLQ, 14 days retention and 1 MiB messages', () => {
    const settings = (logicalId: string) => {
      const { FifoQueue, DeduplicationScope, FifoThroughputLimit, MessageRetentionPeriod, MaximumMessageSize, SqsManagedSseEnabled, ContentBasedDeduplication } = props(logicalId);
      return { FifoQueue, DeduplicationScope, FifoThroughputLimit, MessageRetentionPeriod, MaximumMessageSize, SqsManagedSseEnabled, ContentBasedDeduplication };
    };
    const expected = {
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      MessageRetentionPeriod: 14 * 24 * 3600,
      MaximumMessageSize: 1024 * 1024,
      SqsManagedSseEnabled: { 'Fn::If': ['HasKmsKey', { Ref: 'AWS::NoValue' }, true] },
      ContentBasedDeduplication: false,
    };

    expect(settings('WebhookQueue')).to.deep.equal(expected);
    expect(settings('DeadLetterQueue')).to.deep.equal(expected);
  });

  it('redrives to the DLQ after at least 5 receives, and the DLQ takes redrives from this queue only', () => {
    const redrive = props('WebhookQueue').RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    const allow = props('DeadLetterQueue').RedriveAllowPolicy as { redrivePermission: string; sourceQueueArns: { 'Fn::Sub': string }[] };
    const queueName = (props('WebhookQueue').QueueName as { 'Fn::Sub': string })['Fn::Sub'];

    expect(getAttTarget(redrive.deadLetterTargetArn)).to.equal('DeadLetterQueue');
    expect(redrive.maxReceiveCount).to.be.at.least(5);
    expect(allow.redrivePermission).to.equal('byQueue');
    expect(allow.sourceQueueArns.map((arn) => arn['Fn::Sub'])).to.deep.equal([
      `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${queueName}`,
    ]);
  });

  it('keeps the visibility timeout at least 6 times the worker timeout', () => {
    expect(props('WebhookQueue').VisibilityTimeout).to.be.at.least(6 * (props('WorkerFunction').Timeout as number));
  });

  it('reports batch item failures from the queue, in batches of at most 10, with a maximum concurrency', () => {
    const mapping = props('WorkerEventSource');

    expect(getAttTarget(mapping.EventSourceArn)).to.equal('WebhookQueue');
    expect(refTarget(mapping.FunctionName)).to.equal('WorkerFunction');
    expect(mapping.FunctionResponseTypes).to.deep.equal(['ReportBatchItemFailures']);
    expect(mapping.BatchSize).to.be.within(1, 10);
    expect(refTarget((mapping.ScalingConfig as { MaximumConcurrency: unknown }).MaximumConcurrency)).to.equal('WorkerMaxConcurrency');
  });

  it('runs both functions from the same image, each with its own command', () => {
    const image = (logicalId: string) => {
      const { PackageType, Code, ImageConfig } = props(logicalId);
      return { PackageType, Code, ImageConfig };
    };

    expect(image('HttpFunction')).to.deep.equal({ PackageType: 'Image', Code: { ImageUri: { Ref: 'ImageUri' } }, ImageConfig: { Command: ['http.handler'] } });
    expect(image('WorkerFunction')).to.deep.equal({ PackageType: 'Image', Code: { ImageUri: { Ref: 'ImageUri' } }, ImageConfig: { Command: ['worker.handler'] } });
  });

  it('names image commands that resolve to exported handlers in dist/', async () => {
    ensureBuilt(['dist/http.mjs', 'dist/worker.mjs']);
    const commands = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).flatMap((fn) => (fn.Properties?.ImageConfig as { Command: string[] }).Command);
    // Importing a bundle runs its cold start, which logs the configuration it loaded.
    const logLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';

    try {
      const handlers = await Promise.all(commands.map((command) => resolveHandler('dist', command)));

      expect(commands).to.have.length(2);
      expect(handlers.map((handler) => typeof handler)).to.deep.equal(['function', 'function']);
    } finally {
      if (logLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = logLevel;
    }
  });

  it('gives the worker the DLQ to park in, and API Gateway nothing but sending to the queue', () => {
    expect(refTarget((props('WorkerFunction').Environment as { Variables: Record<string, unknown> }).Variables.DLQ_URL)).to.equal('DeadLetterQueue');
    const rendered = renderTemplate(template, deploymentBase);
    const withKey = renderTemplate(template, { ...deploymentBase, KmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k1' });

    expect(grants(resource(rendered, 'ApiGatewayQueueRole'))).to.deep.equal({ 'sqs:SendMessage': ['WebhookQueue'] });
    expect(grants(resource(withKey, 'ApiGatewayQueueRole'))).to.deep.equal({ 'sqs:SendMessage': ['WebhookQueue'], 'kms:GenerateDataKey': ['KmsKeyArn'], 'kms:Decrypt': ['KmsKeyArn'] });
    expect(grants(resource(rendered, 'WorkerFunctionRole'))['sqs:SendMessage']).to.deep.equal(['DeadLetterQueue']);
    // The event source mapping's documented needs and nothing more (no ChangeMessageVisibility):
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
    expect(Object.entries(grants(resource(rendered, 'WorkerFunctionRole'))).filter(([, on]) => on.includes('WebhookQueue')).map(([action]) => action)).to.deep.equal(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']);
    expect(Object.keys(grants(resource(rendered, 'HttpFunctionRole'))).filter((action) => action.startsWith('sqs:'))).to.deep.equal([]);
  });

  it('reserves the worker the concurrency its event source may use, so direct traffic cannot starve it', () => {
    const rendered = (value: string) => renderTemplate(template, { ...deploymentBase, ReserveWorkerConcurrency: value }).Resources.WorkerFunction?.Properties?.ReservedConcurrentExecutions;

    expect([rendered('on'), rendered('off')]).to.deep.equal([{ Ref: 'WorkerMaxConcurrency' }, undefined]);
    expect(refTarget((props('WorkerEventSource').ScalingConfig as { MaximumConcurrency: unknown }).MaximumConcurrency)).to.equal('WorkerMaxConcurrency');
  });

  it('lets only this stack\'s APIs assume the queue role', () => {
    const rendered = renderTemplate(template, { ...deploymentBase, ApiFlavour: 'both' });
    const trust = (rendered.Resources.ApiGatewayQueueRole?.Properties?.AssumeRolePolicyDocument as { Statement: { Condition: Record<string, Record<string, unknown>> }[] }).Statement[0]?.Condition;
    const arns = createResolver(rendered, { ...deploymentBase, ApiFlavour: 'both' })(trust?.ArnLikeIfExists?.['aws:SourceArn']) as string[];

    expect(arns).to.deep.equal([
      'arn:aws:execute-api:eu-west-1:123456789012:RestApi-id/*',
      'arn:aws:execute-api:eu-west-1:123456789012:HttpApi-id/*',
    ]);
    expect(trust?.StringEqualsIfExists).to.deep.equal({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('lets both functions read their parameters and use the idempotency table, and nothing more', () => {
    const actions = (parameters: Record<string, string>) => {
      const policy = renderTemplate(template, { ...deploymentBase, ...parameters }).Resources.AppPolicy;
      return ((policy?.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement).map((statement) => [statement.Action].flat());
    };
    const attached = (logicalId: string) => (props(logicalId).ManagedPolicyArns as unknown[]).map((arn) => refTarget(arn)).filter(Boolean);
    const common = [['ssm:GetParameters'], ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], ['secretsmanager:GetSecretValue']];

    expect(actions({})).to.deep.equal(common);
    expect(actions({ SecretsKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k1' })).to.deep.equal([...common, ['kms:Decrypt']]);
    expect([attached('HttpFunctionRole'), attached('WorkerFunctionRole')]).to.deep.equal([['AppPolicy'], ['AppPolicy']]);
  });

  it('grants GetSecretValue on the secrets the signing parameters name in Secrets Manager, and on no real secret otherwise', () => {
    const rendered = renderTemplate(template, { ...deploymentBase, StripeSigningParameter: '/aws/reference/secretsmanager/acme/stripe', GitHubSigningParameter: '/acme/webhooks/github' });
    const statement = ((rendered.Resources.AppPolicy?.Properties?.PolicyDocument as { Statement: { Action: string; Resource: unknown[] }[] }).Statement).find(
      (s) => s.Action === 'secretsmanager:GetSecretValue',
    );
    const resolve = createResolver(rendered, { ...deploymentBase, StripeSigningParameter: '/aws/reference/secretsmanager/acme/stripe', GitHubSigningParameter: '/acme/webhooks/github' });

    expect(statement?.Resource.map((r) => String(resolve(r)).split(':secret:')[1])).to.deep.equal(['acme/stripe-??????', '-??????', '-??????', '-??????', '-??????', '-??????']);
  });

  describe('REST API', () => {
    const sqsMethods = ['RestWebhookPostMethod', 'RestWebhookProxyPostMethod'];
    const integration = (logicalId: string) => props(logicalId).Integration as Record<string, unknown>;

    it('sends POST /webhook and POST /webhook/{proxy+} to SQS with the same integration', () => {
      const [first, second] = sqsMethods.map(integration);

      expect(first).to.deep.equal(second);
      expect(first?.Type).to.equal('AWS');
      expect(first?.PassthroughBehavior).to.equal('NEVER');
      expect(first?.RequestParameters).to.deep.equal({ 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" });
      expect((first?.Uri as { 'Fn::Sub': string })['Fn::Sub']).to.match(/:sqs:path\/\$\{AWS::AccountId\}\/\$\{WebhookQueue\.QueueName\}$/);
    });

    it('registers the envelope template for every content type providers send', () => {
      const templates = integration('RestWebhookPostMethod').RequestTemplates as Record<string, unknown>;

      expect(Object.keys(templates)).to.include.members([
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/xml',
        'text/xml',
        'multipart/form-data',
        'application/octet-stream',
        'application/vnd.api+json',
        'application/cloudevents+json',
      ]);
      // API Gateway matches the media type only, parameters dropped: a key with parameters never matches.
      expect(Object.keys(templates).filter((type) => !/^[a-z]+\/[a-z0-9.+-]+$/.test(type))).to.deep.equal([]);
      // infra/README.md names every type that is queued (any other answers 503): the list an operator reads is this one.
      const documented = /- \*\*Content types\.\*\*[\s\S]*?\n- \*\*/.exec(readFileSync('infra/README.md', 'utf8'))?.[0] ?? '';
      expect(Object.keys(templates).filter((type) => !documented.includes(`\`${type}\``))).to.deep.equal([]);
      // The envelope, and its twin for the binary media types (test/infra/rest-request-template.test.ts compares them).
      expect(new Set(Object.values(templates).map((reference) => (reference as { 'Fn::FindInMap': string[] })['Fn::FindInMap'][2]))).to.deep.equal(new Set(['Envelope', 'EnvelopeBinary']));
    });

    it('answers 202 only when SQS answers 2xx, 413 when the message can never fit, and 5xx for anything else so providers retry', () => {
      const responses = (integration('RestWebhookPostMethod').IntegrationResponses as { StatusCode: string; SelectionPattern?: string }[]).map(
        ({ StatusCode, SelectionPattern }) => ({ StatusCode, SelectionPattern }),
      );

      expect(responses).to.deep.equal([
        { StatusCode: '202', SelectionPattern: '2\\d{2}' },
        { StatusCode: '413', SelectionPattern: '413' },
        { StatusCode: '503', SelectionPattern: '5\\d{2}' },
        // No pattern: the default response, for SQS 4xx (413 when SQS says too large) and anything unexpected.
        { StatusCode: '502', SelectionPattern: undefined },
      ]);
    });

    it('turns an unmapped content type into a retryable 503, never a 415 providers give up on', () => {
      const response = props('RestUnsupportedMediaTypeResponse');

      expect([response.ResponseType, response.StatusCode]).to.deep.equal(['UNSUPPORTED_MEDIA_TYPE', '503']);
      expect(JSON.parse((response.ResponseTemplates as Record<string, string>)['application/json'] ?? '')).to.have.nested.property('error.code', 'content_type_not_mapped');
    });

    it('sends every other method and path to the http function, and guards /api with the authorizer', () => {
      const methods = resourcesOfType(template, 'AWS::ApiGateway::Method');
      const lambdaMethods = Object.entries(methods).filter(([id]) => !sqsMethods.includes(id));
      const authorization = Object.fromEntries(lambdaMethods.map(([id, method]) => [id, method.Properties?.AuthorizationType]));

      expect(lambdaMethods.map(([, method]) => (method.Properties?.Integration as { Type: string }).Type)).to.satisfy((types: string[]) => types.every((t) => t === 'AWS_PROXY'));
      expect(authorization).to.deep.equal({
        RestWebhookAnyMethod: 'NONE',
        RestWebhookProxyAnyMethod: 'NONE',
        RestWebhookSlackAnyMethod: 'NONE',
        RestRootAnyMethod: 'NONE',
        RestRootProxyAnyMethod: 'NONE',
        RestApiAnyMethod: { 'Fn::If': ['UseCognito', 'COGNITO_USER_POOLS', 'AWS_IAM'] },
        RestApiProxyAnyMethod: { 'Fn::If': ['UseCognito', 'COGNITO_USER_POOLS', 'AWS_IAM'] },
      });
    });

    it('serves /webhook/slack from the http function: Slack wants its url_verification challenge answered', () => {
      const slack = props('RestWebhookSlackResource');
      const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).filter((m) => refTarget(m.Properties?.ResourceId) === 'RestWebhookSlackResource');

      expect([refTarget(slack.ParentId), slack.PathPart]).to.deep.equal(['RestWebhookResource', 'slack']);
      expect(methods.map((m) => [m.Properties?.HttpMethod, (m.Properties?.Integration as { Type: string }).Type])).to.deep.equal([['ANY', 'AWS_PROXY']]);
    });

    it('deploys after every method and gateway response, under a logical id the deploy renames after the template (scripts/render-service-template.ts)', () => {
      const deployment = resourcesOfType(template, 'AWS::ApiGateway::Deployment');

      expect(Object.keys(deployment)).to.deep.equal(['RestDeployment']);
      expect(deployment.RestDeployment?.DependsOn).to.have.members([
        ...Object.keys(resourcesOfType(template, 'AWS::ApiGateway::Method')),
        ...Object.keys(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse')),
      ]);
    });

    it('puts a WAF web ACL on the stage that never blocks a webhook for its body, rate-limits webhooks with a retryable 429, and logs', () => {
      const rules = props('WebAcl').Rules as { Name: string; Action?: Record<string, unknown>; Statement: Record<string, Record<string, unknown>> }[];
      const byName = Object.fromEntries(rules.filter((rule) => typeof rule.Name === 'string').map((rule) => [rule.Name, rule]));
      const onWebhooks = byName['aws-known-bad-inputs-on-webhooks']?.Statement.ManagedRuleGroupStatement as { RuleActionOverrides: { Name: string; ActionToUse: object }[] };
      const webhookRate = byName['rate-limit-webhooks'];

      expect(Object.keys(byName)).to.include.members(['aws-known-bad-inputs-outside-webhooks', 'aws-known-bad-inputs-on-webhooks', 'aws-common-outside-webhooks', 'rate-limit-webhooks', 'rate-limit-outside-webhooks']);
      expect(onWebhooks.RuleActionOverrides).to.deep.equal([
        { Name: 'JavaDeserializationRCE_BODY', ActionToUse: { Count: {} } },
        { Name: 'Log4JRCE_BODY', ActionToUse: { Count: {} } },
      ]);
      expect(webhookRate?.Action).to.deep.equal({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } } });
      expect((props('WebAclAssociation').ResourceArn as { 'Fn::Sub': string })['Fn::Sub']).to.contain('/stages/${RestStage}');
      expect((props('WebAclLogGroup').LogGroupName as { 'Fn::Sub': string })['Fn::Sub']).to.match(/^aws-waf-logs-/);
      // WAF takes the log group's ARN without the ":*" of its Arn attribute.
      expect((props('WebAclLogging').LogDestinationConfigs as { 'Fn::Sub': string }[])[0]?.['Fn::Sub']).to.equal('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WebAclLogGroup}');
    });

    // WAF sees the path as the client sent it: /prod/webhook... on the execute-api host, /webhook...
    // on a custom domain mapped at the root (the stage is the only prefix a webhook path has).
    it('treats exactly the webhook paths either host serves as webhooks, so no other path escapes the rule sets', () => {
      const rules = props('WebAcl').Rules as { Statement: unknown }[];
      const regexes = new Set(JSON.stringify(rules).match(/"RegexString":"[^"]*"/g));
      const [only] = [...regexes].map((entry) => new RegExp((JSON.parse(`{${entry}}`) as { RegexString: string }).RegexString));
      const webhook = ['/webhook', '/webhook/stripe', '/prod/webhook', '/prod/webhook/github'];
      const other = ['/webhooks', '/api/webhook', '/x/webhook/stripe', '/health/webhook', '/prod/api/webhook', '/'];

      expect(regexes.size).to.equal(1);
      expect([webhook.filter((path) => only?.test(path)), other.filter((path) => only?.test(path))]).to.deep.equal([webhook, []]);
      expect(props('RestStage').StageName).to.equal('prod');
    });

    it('blocks a provider route without its signature header only when asked to', () => {
      const withRule = (value: string) =>
        ((renderTemplate(template, { ...deploymentBase, RequireSignatureHeaders: value }).Resources.WebAcl?.Properties?.Rules as { Name: string }[]) ?? []).map((r) => r.Name);

      expect([withRule('off').includes('signature-header-required'), withRule('on').includes('signature-header-required')]).to.deep.equal([false, true]);
    });
  });

  it('takes Cognito access tokens on the REST API (a scope every user access token has), and checks the JWT issuer with the partition\'s URL suffix', () => {
    const rendered = renderTemplate(template, { ...deploymentBase, ApiFlavour: 'both' });

    expect(rendered.Resources.RestApiAnyMethod?.Properties?.AuthorizationScopes).to.deep.equal(['aws.cognito.signin.user.admin']);
    expect(rendered.Resources.RestApiProxyAnyMethod?.Properties?.AuthorizationScopes).to.deep.equal(['aws.cognito.signin.user.admin']);
    expect((rendered.Resources.HttpJwtAuthorizer?.Properties?.JwtConfiguration as { Issuer: { 'Fn::Sub': string } }).Issuer['Fn::Sub']).to.equal('https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}');
  });

  describe('HTTP API', () => {
    it('serves the $default stage, so the v2 event path carries no stage', () => {
      expect(props('HttpStage').StageName).to.equal('$default');
    });

    it('guards /api and /api/{proxy+} with the JWT authorizer or IAM', () => {
      const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties ?? {});
      const apiRoutes = routes.filter((route) => String(route.RouteKey).includes(' /api'));

      expect(apiRoutes.map((route) => [route.RouteKey, route.AuthorizationType])).to.deep.equal([
        ['ANY /api', { 'Fn::If': ['UseCognito', 'JWT', 'AWS_IAM'] }],
        ['ANY /api/{proxy+}', { 'Fn::If': ['UseCognito', 'JWT', 'AWS_IAM'] }],
      ]);
    });
  });

  it('gives both functions the idempotency table in the layout Powertools expects', () => {
    const table = props('IdempotencyTable');
    const tableOf = (logicalId: string) => refTarget((props(logicalId).Environment as { Variables: Record<string, unknown> }).Variables.IDEMPOTENCY_TABLE);

    expect([table.KeySchema, table.AttributeDefinitions, table.TimeToLiveSpecification]).to.deep.equal([
      [{ AttributeName: 'id', KeyType: 'HASH' }],
      [{ AttributeName: 'id', AttributeType: 'S' }],
      { AttributeName: 'expiration', Enabled: true },
    ]);
    expect([tableOf('HttpFunction'), tableOf('WorkerFunction')]).to.deep.equal(['IdempotencyTable', 'IdempotencyTable']);
  });

  it('writes the SSM parameters the service reads at cold start', () => {
    const names = Object.values(resourcesOfType(template, 'AWS::SSM::Parameter')).map((parameter) => (parameter.Properties?.Name as { 'Fn::Sub': string })['Fn::Sub']);

    expect(names).to.deep.equal([
      '/${DeploymentId}/auth/user_pool_ref',
      '/${DeploymentId}/cdn/${PipelineId}/auth_user_pool_client_id',
      '/${DeploymentId}/ecs/${PipelineId}/albDnsName',
    ]);
  });

  it('alarms on the queue, the DLQ (depth and age), the worker\'s outcomes and lag, both functions, both APIs and the health canary', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((alarm) => {
      const { Namespace, MetricName, Dimensions } = alarm.Properties ?? {};
      const subject = (Dimensions as { Value: unknown }[])[0]?.Value;
      return `${String(Namespace)} ${String(MetricName)} ${getAttTarget(subject) ?? refTarget(subject) ?? JSON.stringify(subject)}`;
    });

    expect(alarms).to.have.members([
      'AWS/SQS ApproximateNumberOfMessagesVisible DeadLetterQueue',
      'AWS/SQS ApproximateAgeOfOldestMessage WebhookQueue',
      'AWS/SQS ApproximateAgeOfOldestMessage DeadLetterQueue',
      'AWS/Lambda Errors WorkerFunction',
      'AWS/Lambda Throttles WorkerFunction',
      'AWS/Lambda Duration WorkerFunction',
      'AWS/Lambda Errors HttpFunction',
      'AWS/Lambda Throttles HttpFunction',
      'AWS/Lambda Duration HttpFunction',
      'WebhookIntake Parked {"Fn::Sub":"${DeploymentId}-webhook-intake"}',
      'WebhookIntake Retried {"Fn::Sub":"${DeploymentId}-webhook-intake"}',
      'WebhookIntake QueueLag {"Fn::Sub":"${DeploymentId}-webhook-intake"}',
      'AWS/ApiGateway 5XXError {"Fn::Sub":"${DeploymentId}-rest"}',
      'AWS/ApiGateway 4XXError {"Fn::Sub":"${DeploymentId}-rest"}',
      'AWS/ApiGateway 5xx HttpApi',
      'AWS/ApiGateway 4xx HttpApi',
      'CloudWatchSynthetics SuccessPercent HealthCheckCanary',
    ]);
  });

  // Deleting the stack must not leave the canary's function and layers behind, nor fail on them.
  // https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_DeleteCanary.html
  it('deletes the health canary\'s Lambda function and layers with the canary', () => {
    expect(props('HealthCheckCanary').ProvisionedResourceCleanup).to.equal('AUTOMATIC');
  });

  it('alarms on the metrics the worker writes, under the service dimension both functions set', () => {
    const source = readFileSync('services/worker/metrics.ts', 'utf8');
    const written = [...source.matchAll(/'([A-Z][A-Za-z]+)'/g)].map((m) => m[1]);
    const emf = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties?.Namespace === 'WebhookIntake');
    const serviceName = (id: string) => (props(id).Environment as { Variables: Record<string, unknown> }).Variables.SERVICE_NAME;

    expect(source).to.contain("options.namespace ?? 'WebhookIntake'");
    expect(emf.map((alarm) => alarm.Properties?.MetricName).filter((name) => !written.includes(String(name)))).to.deep.equal([]);
    expect(emf.map((alarm) => (alarm.Properties?.Dimensions as { Name: string; Value: unknown }[])[0])).to.deep.equal(
      emf.map(() => ({ Name: 'service', Value: serviceName('WorkerFunction') })),
    );
    expect(serviceName('HttpFunction')).to.deep.equal(serviceName('WorkerFunction'));
  });

  it('warns when a function runs past 80% of its timeout', () => {
    const threshold = (alarm: string) => props(alarm).Threshold;

    expect([threshold('WorkerDurationAlarm'), threshold('HttpDurationAlarm')]).to.deep.equal([
      Math.round(0.8 * (props('WorkerFunction').Timeout as number) * 1000),
      Math.round(0.8 * (props('HttpFunction').Timeout as number) * 1000),
    ]);
  });

  it('has a dashboard whose body is JSON once CloudFormation substitutes it', () => {
    const rendered = renderTemplate(template, deploymentBase);
    const body = createResolver(rendered, deploymentBase)(rendered.Resources.Dashboard?.Properties?.DashboardBody) as string;
    const widgets = (JSON.parse(body) as { widgets: { properties: { title: string } }[] }).widgets.map((w) => w.properties.title);

    expect(widgets).to.have.length(5);
    expect(body).to.contain('acme-webhooks.fifo').and.contain('acme-webhooks-dlq.fifo').and.contain('acme-webhook-intake');
  });

  it('outputs both API URLs and both queue URLs', () => {
    expect(Object.keys(template.Outputs ?? {})).to.include.members(['RestApiUrl', 'HttpApiUrl', 'QueueUrl', 'DeadLetterQueueUrl']);
  });
});
