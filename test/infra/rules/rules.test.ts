import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ensureBuilt } from '../../helpers/build.ts';
import type { Resource } from '../helpers/cloudformation-yaml.ts';
import { deployments, renderDeployment, type RenderedDeployment } from '../helpers/deployments.ts';
import { httpApiMappingsCannotFailASend, httpApiResponseParameterMaps, restIntegrationsAsStored } from './api-gateway.ts';
import { gatewayMaySendToItsQueue, grantsWhatTheCodeCalls } from './iam.ts';
import { noDanglingReferences, retainExceptOnCreate } from './lifecycle.ts';
import { reachesEveryCallFromTheVpc } from './network.ts';

// Each deploy-readiness rule, shown a template that breaks it: the rules can fail.
export function makeDeployment(resources: Record<string, Resource>, overrides: Partial<RenderedDeployment> = {}): RenderedDeployment {
  return { file: 'infra/test.yaml', name: 'a test configuration', parameters: {}, template: { Resources: resources }, ...overrides };
}

describe('deploy-readiness rules', () => {
  describe('httpApiResponseParameterMaps', () => {
    it('names a status code mapped to a bare list, a bad destination and a key that is no status code', () => {
      const deployment = makeDeployment({
        Integration: {
          Type: 'AWS::ApiGatewayV2::Integration',
          Properties: {
            ResponseParameters: {
              '200': [{ Destination: 'overwrite:statuscode', Source: '202' }],
              '400': { ResponseParameters: [{ Destination: 'overwrite:body', Source: 'x' }] },
              '700': { ResponseParameters: [{ Destination: 'overwrite:statuscode', Source: 'ok' }] },
            },
          },
        },
      });

      expect(httpApiResponseParameterMaps.check(deployment)).to.deep.equal([
        "Integration.ResponseParameters['200']: must be { ResponseParameters: [{ Destination, Source }] }",
        "Integration.ResponseParameters['400']: Destination overwrite:body is not a response parameter",
        "Integration.ResponseParameters['700']: the key must be a status code from 200 to 599",
        "Integration.ResponseParameters['700']: status code ok is not a status code",
      ]);
    });
  });

  describe('httpApiMappingsCannotFailASend', () => {
    it('names a client value in the group, mapped message attributes, a body that can be empty, and a failure answered 2xx (the version 1 mapping)', () => {
      const deployment = makeDeployment({
        Shopify: {
          Type: 'AWS::ApiGatewayV2::Integration',
          Properties: {
            IntegrationSubtype: 'SQS-SendMessage',
            RequestParameters: {
              MessageBody: '$request.body',
              MessageGroupId: '/webhook/shopify#${request.header.x-shopify-shop-domain}',
              MessageDeduplicationId: '$context.requestId',
              MessageAttributes: '{"h.x": {"DataType": "String", "StringValue": "${request.header.x}"}, "contentType": {"DataType": "String", "StringValue": "${request.header.content-type}"}}',
            },
            ResponseParameters: { '400': { ResponseParameters: [{ Destination: 'overwrite:statuscode', Source: '200' }] } },
          },
        },
      });

      expect(httpApiMappingsCannotFailASend.check(deployment)).to.deep.equal([
        'Shopify: MessageGroupId must be static text or gateway-made values',
        'Shopify: maps MessageAttributes, which API Gateway may refuse at create time',
        'Shopify: MessageBody must start with a constant line, so it is never empty',
        'Shopify: SQS 400 answers 200, as if the webhook were queued',
      ]);
    });
  });

  describe('restIntegrationsAsStored', () => {
    it('names a status used twice, a status without a method response, a key with parameters and a response left binary', () => {
      const deployment = makeDeployment({
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { BinaryMediaTypes: ['*~1*'] } },
        Post: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            Integration: {
              Type: 'AWS',
              RequestTemplates: { 'application/json; charset=utf-8': 'x' },
              IntegrationResponses: [
                { StatusCode: '502', SelectionPattern: '4\\d{2}', ContentHandling: 'CONVERT_TO_TEXT' },
                { StatusCode: '502', ContentHandling: 'CONVERT_TO_TEXT', ResponseTemplates: { 'application/json': '#set($context.responseOverride.status = 413)' } },
                { StatusCode: '202' },
              ],
            },
            MethodResponses: [{ StatusCode: '202' }, { StatusCode: '502' }],
          },
        },
      });

      expect(restIntegrationsAsStored.check(deployment)).to.deep.equal([
        'Post: two integration responses with status 502',
        'Post: status 413 has no method response',
        'Post: request template key application/json; charset=utf-8 is not a bare media type',
        'Post: response 202 does not convert to text, though the API has binary media types',
      ]);
    });
  });

  describe('retainExceptOnCreate', () => {
    it('names a Retain policy and a retained resource that a replacement would delete', () => {
      const deployment = makeDeployment({
        Queue: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
        Table: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'RetainExceptOnCreate' },
        Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete' },
      });

      expect(retainExceptOnCreate.check(deployment)).to.deep.equal([
        'Queue: DeletionPolicy Retain keeps it after a failed create (use RetainExceptOnCreate)',
        'Table: retained on delete but not on replacement',
      ]);
    });
  });

  describe('noDanglingReferences', () => {
    it('names a reference to a resource the configuration does not create', () => {
      const deployment = makeDeployment({ Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'AlarmTopic' }] } } });

      expect(noDanglingReferences.check(deployment)).to.deep.equal(['Alarm: Ref AlarmTopic']);
    });
  });

  describe('grantsWhatTheCodeCalls on an ECS task', () => {
    before(() => ensureBuilt(['dist/meta.json']));

    it('checks the task role against the calls of the bundle the container runs', () => {
      const deployment = makeDeployment({
        TaskRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [] } },
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            TaskRoleArn: { 'Fn::GetAtt': ['TaskRole', 'Arn'] },
            ContainerDefinitions: [{ EntryPoint: ['node'], Command: ['worker.mjs'], Environment: [{ Name: 'DLQ_URL', Value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/acme-webhooks-dlq.fifo' }] }],
          },
        },
      });

      expect(grantsWhatTheCodeCalls.check(deployment)).to.deep.equal(['Task (TaskRole) may not sqs:SendMessage on arn:aws:sqs:eu-west-1:123456789012:acme-webhooks-dlq.fifo']);
    });
  });

  // The real templates, each with one thing taken away.
  describe('on infra/service.yaml with a grant or an endpoint removed', () => {
    const signed = () => deployments.find((d) => d.name.startsWith('every provider signed'));
    const inVpc = () => deployments.find((d) => d.name === 'REST API, in a VPC, Cognito auth, its own alarm topic');
    const withStatementsRemoved = (deployment: RenderedDeployment, policyId: string, drop: (action: string) => boolean): RenderedDeployment => {
      const copy = structuredClone(deployment);
      const resource = copy.template.Resources[policyId];
      const documents = resource?.Type === 'AWS::IAM::ManagedPolicy' ? [resource.Properties?.PolicyDocument] : ((resource?.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument);
      for (const document of documents as { Statement: { Action: string | string[] }[] }[]) document.Statement = document.Statement.filter((st) => ![st.Action].flat().some(drop));
      return copy;
    };

    before(() => ensureBuilt(['dist/meta.json']));

    it('grantsWhatTheCodeCalls names the Secrets Manager secret and the customer key the functions could not read', () => {
      const deployment = renderDeployment(signed() as RenderedDeployment);
      const broken = withStatementsRemoved(deployment, 'AppPolicy', (action) => action === 'secretsmanager:GetSecretValue' || action === 'kms:Decrypt');

      expect(grantsWhatTheCodeCalls.check(deployment)).to.deep.equal([]);
      expect(grantsWhatTheCodeCalls.check(broken)).to.deep.equal(
        ['HttpFunction (HttpFunctionRole)', 'WorkerFunction (WorkerFunctionRole)'].flatMap((who) => [
          `${who} may not secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/stripe-Ab12Cd`,
          `${who} may not kms:Decrypt on arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-0000-0000-000000000000`,
        ]),
      );
    });

    it('grantsWhatTheCodeCalls names the DLQ the worker could not park in, and the queue its event source could not read', () => {
      const broken = withStatementsRemoved(renderDeployment(signed() as RenderedDeployment), 'WorkerFunctionRole', (action) => action.startsWith('sqs:'));

      expect(grantsWhatTheCodeCalls.check(broken)).to.deep.equal([
        'WorkerFunction (WorkerFunctionRole) may not sqs:SendMessage on arn:aws:sqs:eu-west-1:123456789012:acme-webhooks-dlq.fifo',
        'WorkerFunction (WorkerFunctionRole) may not sqs:ReceiveMessage on arn:aws:sqs:eu-west-1:123456789012:acme-webhooks.fifo',
        'WorkerFunction (WorkerFunctionRole) may not sqs:DeleteMessage on arn:aws:sqs:eu-west-1:123456789012:acme-webhooks.fifo',
        'WorkerFunction (WorkerFunctionRole) may not sqs:GetQueueAttributes on arn:aws:sqs:eu-west-1:123456789012:acme-webhooks.fifo',
      ]);
    });

    it('gatewayMaySendToItsQueue names each SQS integration whose role may not send', () => {
      const broken = withStatementsRemoved(renderDeployment(signed() as RenderedDeployment), 'ApiGatewayQueueRole', () => true);

      expect(gatewayMaySendToItsQueue.check(broken).map((problem) => problem.split(':')[0])).to.include.members(['RestWebhookPostMethod', 'RestWebhookProxyPostMethod', 'HttpStripeIntegration']);
    });

    it('reachesEveryCallFromTheVpc names the DynamoDB calls when the gateway endpoint is gone', () => {
      const dir = mkdtempSync(join(tmpdir(), 'network-'));
      const file = join(dir, 'network.yaml');
      const text = readFileSync('infra/network.yaml', 'utf8');
      writeFileSync(file, text.replace(/\n {2}DynamoDbGatewayEndpoint:\n( {4}.*\n|\n)*?(?=\n {2}#)/, '\n'));
      // IAM auth: the network has no NAT that would carry DynamoDB calls instead.
      const deployment = deployments.find((d) => d.name === 'REST API, in a VPC, IAM auth, its own alarm topic') as RenderedDeployment;

      try {
        const problems = reachesEveryCallFromTheVpc.check(renderDeployment({ ...deployment, network: { ...(deployment.network as RenderedDeployment), file } }));

        expect(readFileSync(file, 'utf8')).to.not.contain('DynamoDbGatewayEndpoint');
        expect(problems.map((p) => p.replace(/ \(.*\)/, ''))).to.deep.equal(
          ['HttpFunction', 'WorkerFunction'].flatMap((fn) => ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map(() => `${fn} calls dynamodb: no endpoint and no NAT route from its subnets`)),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reachesEveryCallFromTheVpc names the JWKS download without NAT', () => {
      const deployment = inVpc() as RenderedDeployment;
      const withoutNat = { ...deployment, network: { ...(deployment.network as RenderedDeployment), parameters: { DeploymentId: 'acme', InternetAccess: 'none' } } };
      const rendered = renderDeployment(withoutNat);

      const problems = reachesEveryCallFromTheVpc.check(rendered);

      expect(reachesEveryCallFromTheVpc.check(renderDeployment(deployment))).to.deep.equal([]);
      expect(problems.map((p) => p.replace(/ \(.*\)/, ''))).to.deep.equal([
        "HttpFunction calls cognito-idp: no endpoint and no NAT route from its subnets",
        "WorkerFunction calls cognito-idp: no endpoint and no NAT route from its subnets",
      ]);
    });

    describe("container tasks in network.yaml's private subnets", () => {
      const tasks = () => deployments.find((d) => d.file === 'infra/container.yaml' && d.parameters.TaskSecurityGroupIds) as RenderedDeployment;
      const problemsOf = (deployment: RenderedDeployment) => reachesEveryCallFromTheVpc.check(renderDeployment(deployment)).map((p) => p.replace(/ \(.*\)/, ''));

      it('names every SQS and SSM call when the tasks lack the group the endpoints admit', () => {
        const withoutGroup = { ...tasks(), parameters: { ...tasks().parameters, TaskSecurityGroupIds: '' } };

        expect(problemsOf(tasks())).to.deep.equal([]);
        expect([...new Set(problemsOf(withoutGroup))]).to.deep.equal([
          'TaskDefinition calls ssm: the security groups of SsmEndpoint admit HTTPS from none of its security groups',
          'TaskDefinition calls sqs: the security groups of SqsEndpoint admit HTTPS from none of its security groups',
        ]);
      });

      it("names Fargate's image pull and log shipping without NAT (the network has no ECR, S3 or Logs endpoint)", () => {
        const withoutNat = { ...tasks(), network: { ...(tasks().network as RenderedDeployment), parameters: { DeploymentId: 'acme', InternetAccess: 'none' } } };

        // cognito-idp too: the tasks verify Cognito tokens (the JWKS download), as the functions do.
        expect(problemsOf(withoutNat)).to.deep.equal(['cognito-idp', 'ecr.api', 'ecr.dkr', 's3', 'logs'].map((endpoint) => `TaskDefinition calls ${endpoint}: no endpoint and no NAT route from its subnets`));
      });
    });
  });
});
