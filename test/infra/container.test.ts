import { expect } from 'chai';
import { inject } from 'light-my-request';
import { makeApp } from '../../factories/app.ts';
import { keepAliveTimeoutMs } from '../../services/server/service.ts';
import { loadTemplate, resource, resourcesOfType, type Resource } from './helpers/cloudformation-yaml.ts';
import { imageUri } from './helpers/deployments.ts';
import { renderTemplate, type ParameterValues } from './helpers/render-template.ts';
import { createResolver } from './helpers/resolve-value.ts';

// Invariants of infra/container.yaml, each tied to the AWS behaviour it relies on (the template
// cites the documentation next to each resource). AWS itself is not reachable here: the template
// is read as CloudFormation reads it. AWS's validator and cfn-lint check it in every supported
// configuration in deploy-readiness.test.ts and cfn-lint.test.ts (helpers/deployments.ts).
const template = loadTemplate('infra/container.yaml');
const service = loadTemplate('infra/service.yaml');
const props = (logicalId: string) => resource(template, logicalId).Properties ?? {};
const required = { DeploymentId: 'acme', PipelineId: 'main', ImageUri: imageUri, VpcId: 'vpc-0123456789abcdef0', LoadBalancerSubnetIds: 'subnet-1,subnet-2', TaskSubnetIds: '', TaskSecurityGroupIds: '' };
/** Resolves intrinsic functions as CloudFormation would for these parameters. */
const resolverFor = (parameters: ParameterValues) => createResolver(renderTemplate(template, parameters), parameters);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function subText(value: unknown): string {
  const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  return JSON.stringify(value);
}

/** Every statement of a role's inline policies, conditional ones (Fn::If) taken on their true branch. */
function statements(role: Resource): Statement[] {
  const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: unknown[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement).map((s) => {
    const branches = (s as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If'];
    return branches ? branches[1] : (s as Statement);
  });
}

/** Action → resources it is granted on, as readable strings (Fn::Sub text, Ref/GetAtt targets). */
function grants(role: Resource): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const statement of statements(role)) {
    const resources = [statement.Resource].flat().map((r) => {
      const conditional = (r as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
      const value = conditional ? conditional[1] : r;
      const ref = (value as { Ref?: string }).Ref;
      const getAtt = (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      return ref ?? (getAtt ? getAtt.join('.') : typeof value === 'string' ? value : subText(value));
    });
    for (const action of [statement.Action].flat()) (result[action] ??= []).push(...resources);
  }
  return result;
}

const container = () => (props('TaskDefinition').ContainerDefinitions as Record<string, unknown>[])[0] ?? {};
const environment = () => Object.fromEntries((container().Environment as unknown[]).map((variable) => {
  const conditional = (variable as { 'Fn::If'?: [string, { Name: string; Value: unknown }, unknown] })['Fn::If'];
  const { Name, Value } = conditional ? conditional[1] : (variable as { Name: string; Value: unknown });
  return [Name, Value];
}));

const serviceName = (logicalId: string, property: string) => subText(service.Resources[logicalId]?.Properties?.[property]);

describe('infra/container.yaml', () => {
  describe('the service stack it runs next to', () => {
    it('consumes and parks into the queue and DLQ service.yaml creates, found by their names', () => {
      const queueName = serviceName('WebhookQueue', 'QueueName');
      const dlqName = serviceName('DeadLetterQueue', 'QueueName');
      const env = environment();

      expect(subText(env.QUEUE_URL)).to.equal(`https://sqs.\${AWS::Region}.\${AWS::URLSuffix}/\${AWS::AccountId}/${queueName}`);
      expect(subText(env.DLQ_URL)).to.equal(`https://sqs.\${AWS::Region}.\${AWS::URLSuffix}/\${AWS::AccountId}/${dlqName}`);
    });

    it('uses the idempotency table and reads the SSM parameters service.yaml names', () => {
      const parameters = Object.values(resourcesOfType(service, 'AWS::SSM::Parameter')).map((p) => subText(p.Properties?.Name));
      const readable = grants(resource(template, 'TaskRole'))['ssm:GetParameters'] ?? [];

      expect(subText(environment().IDEMPOTENCY_TABLE)).to.equal(serviceName('IdempotencyTable', 'TableName'));
      expect(readable.slice(0, 3).map((arn) => arn.split(':parameter')[1])).to.deep.equal(parameters);
    });

    it('writes the albDnsName parameter from the load balancer, which service.yaml then leaves to it', () => {
      const parameter = props('AlbDnsNameParameter');
      const servicesOwn = service.Resources.PublicHostNameParameter;

      expect(subText(parameter.Name)).to.equal('/${DeploymentId}/ecs/${PipelineId}/albDnsName');
      expect(parameter.Value).to.deep.equal({ 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] });
      expect([subText(servicesOwn?.Properties?.Name), servicesOwn?.Condition]).to.deep.equal([subText(parameter.Name), 'WritePublicHostName']);
      expect(service.Conditions?.WritePublicHostName).to.deep.equal({ 'Fn::Not': [{ Condition: 'UseContainerService' }] });
      // The functions still wait for it when the service stack writes it.
      for (const fn of ['HttpFunction', 'WorkerFunction']) {
        expect((service.Resources[fn]?.Metadata as { Parameters: unknown[] }).Parameters, fn).to.deep.include({ 'Fn::If': ['WritePublicHostName', { Ref: 'PublicHostNameParameter' }, { Ref: 'AWS::NoValue' }] });
      }
    });

    it('is the only consumer: ContainerService=on disables the worker function\'s event source', () => {
      expect(service.Resources.WorkerEventSource?.Properties?.Enabled).to.deep.equal({ 'Fn::If': ['UseContainerService', false, true] });
      expect(service.Conditions?.UseContainerService).to.deep.equal({ 'Fn::Equals': [{ Ref: 'ContainerService' }, 'on'] });
    });

    it("sends every alarm to the service stack's topic by default, or to AlarmTopicArn", () => {
      const actions = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((alarm) => (alarm.Properties?.AlarmActions as { 'Fn::If': unknown[] }[])[0]?.['Fn::If']);
      const topic = `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:${serviceName('AlarmTopic', 'TopicName')}`;

      expect(new Set(actions.map((action) => JSON.stringify([action?.[0], subText(action?.[1]), action?.[2]])))).to.deep.equal(
        new Set([JSON.stringify(['UseServiceAlarmTopic', topic, { Ref: 'AlarmTopicArn' }])]),
      );
    });
  });

  describe('the task', () => {
    it('runs the service image with its entry point overridden to node server.mjs', () => {
      const { Image, EntryPoint, Command } = container();

      // The Lambda base image's ENTRYPOINT is /lambda-entrypoint.sh; a new EntryPoint drops the
      // image's CMD, so Command must be set with it.
      expect({ Image, EntryPoint, Command }).to.deep.equal({ Image: { Ref: 'ImageUri' }, EntryPoint: ['node'], Command: ['server.mjs'] });
      expect(service.Parameters?.ImageUri?.Description).to.contain('by digest');
      expect(String(template.Parameters?.ImageUri?.AllowedPattern)).to.contain('@sha256:');
    });

    it('listens on the port the load balancer forwards to, on every interface', () => {
      const port = (container().PortMappings as { ContainerPort: unknown }[])[0]?.ContainerPort;
      const env = environment();

      const toTasks = (props('LoadBalancerSecurityGroup').SecurityGroupEgress as { FromPort: unknown }[])[0]?.FromPort;

      expect([env.PORT, props('TargetGroup').Port, toTasks, props('TasksFromLoadBalancer').FromPort]).to.deep.equal([port, port, port, port]);
      expect(env.HOST).to.equal('0.0.0.0');
    });

    it('finishes its batches before ECS kills it: SHUTDOWN_TIMEOUT_MS below the stop timeout, at most Fargate\'s 120 s', () => {
      const stopTimeoutSeconds = container().StopTimeout as number;

      expect(stopTimeoutSeconds).to.be.at.most(120);
      expect(Number(environment().SHUTDOWN_TIMEOUT_MS)).to.be.below(stopTimeoutSeconds * 1000);
    });

    it('runs as an unprivileged user on a read-only root file system, and logs to its log group', () => {
      const { User, ReadonlyRootFilesystem, LogConfiguration } = container();

      expect([User, ReadonlyRootFilesystem]).to.deep.equal(['1000:1000', true]);
      expect(LogConfiguration).to.deep.include({ LogDriver: 'awslogs' });
      expect((LogConfiguration as { Options: Record<string, unknown> }).Options['awslogs-group']).to.deep.equal({ Ref: 'LogGroup' });
    });

    it('accepts only Fargate CPU and memory pairs', () => {
      const pattern = new RegExp(String(template.Parameters?.TaskSize?.AllowedPattern));
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
      const fargate: Record<number, number[]> = { 256: [512, 1024, 2048], 512: [1024, 2048, 3072, 4096], 1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192], 2048: [4096, 8192, 16384], 4096: [8192, 16384, 30720] };

      const accepted = Object.entries(fargate).flatMap(([cpu, memories]) => memories.map((memory) => `${cpu}/${memory}`)).filter((size) => pattern.test(size));

      expect(accepted).to.include(String(template.Parameters?.TaskSize?.Default));
      expect(['512/512', '256/8192', '4096/1024', '1024/1024'].filter((size) => pattern.test(size))).to.deep.equal([]);
    });

    it('runs in the private subnets when given (no public IP), else in the load balancer subnets with one', () => {
      const { Subnets, AssignPublicIp } = (props('Service').NetworkConfiguration as { AwsvpcConfiguration: Record<string, unknown> }).AwsvpcConfiguration;

      expect(Subnets).to.deep.equal({ 'Fn::If': ['UsePrivateSubnets', { Ref: 'TaskSubnetIds' }, { Ref: 'LoadBalancerSubnetIds' }] });
      expect(AssignPublicIp).to.deep.equal({ 'Fn::If': ['UsePrivateSubnets', 'DISABLED', 'ENABLED'] });
    });
  });

  describe('least privilege', () => {
    it('lets the execution role pull from the image repository and write to the log group, and nothing more', () => {
      const execution = grants(resource(template, 'ExecutionRole'));

      expect(Object.keys(execution).sort()).to.deep.equal([
        'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer', 'logs:CreateLogStream', 'logs:PutLogEvents',
      ]);
      expect(execution['ecr:BatchGetImage']).to.deep.equal(['arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${Repository}']);
      expect(execution['logs:PutLogEvents']).to.deep.equal(['${LogGroup.Arn}:*']);
    });

    it('gives the task exactly what the consumer, gateway, parking and app call, each on its own resource', () => {
      const task = grants(resource(template, 'TaskRole'));
      const queue = 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${DeploymentId}-webhooks.fifo';
      const dlq = 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${DeploymentId}-webhooks-dlq.fifo';

      expect(Object.keys(task).sort()).to.deep.equal([
        'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
        'kms:Decrypt', 'kms:GenerateDataKey', 'secretsmanager:GetSecretValue',
        'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage',
        'ssm:GetParameters',
      ]);
      expect(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'].map((action) => task[action])).to.deep.equal([[queue], [queue], [queue], [queue]]);
      expect(task['sqs:SendMessage']).to.deep.equal([queue, dlq]);
      expect(task['dynamodb:PutItem']).to.deep.equal(['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${DeploymentId}-idempotency']);
      expect(task['kms:Decrypt']).to.deep.equal(['KmsKeyArn', 'SecretsKmsKeyArn']);
    });

    it('grants Secrets Manager and KMS only when a signing secret or a customer managed key is configured', () => {
      const policy = (resource(template, 'TaskRole').Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[])[0]?.PolicyDocument.Statement ?? [];
      const conditions = policy.flatMap((s) => (s as { 'Fn::If'?: [string] })['Fn::If']?.[0] ?? []);

      expect(conditions).to.deep.equal(['HasSecretsManagerSigning', 'HasKmsKey', 'HasSecretsKmsKey']);
    });

    it('trusts ECS tasks of this account only', () => {
      const trust = (role: string) => (props(role).AssumeRolePolicyDocument as { Statement: { Principal: unknown; Condition: { StringEquals: Record<string, unknown> } }[] }).Statement;

      for (const role of ['TaskRole', 'ExecutionRole']) {
        expect(trust(role).map((s) => [s.Principal, s.Condition.StringEquals['aws:SourceAccount']])).to.deep.equal([[{ Service: 'ecs-tasks.amazonaws.com' }, { Ref: 'AWS::AccountId' }]]);
      }
    });
  });

  describe('the load balancer', () => {
    it('checks GET / on each task by IP and takes only a 200', () => {
      const { TargetType, HealthCheckPath, HealthCheckProtocol, Matcher } = props('TargetGroup');

      expect({ TargetType, HealthCheckPath, HealthCheckProtocol, Matcher }).to.deep.equal({ TargetType: 'ip', HealthCheckPath: '/', HealthCheckProtocol: 'HTTP', Matcher: { HttpCode: '200' } });
    });

    it('keeps every task in service while a configuration refresh fails: the health check asks whether the app answers, not how its dependencies are', async () => {
      // ECS replaces a task that fails its target group's health check, and every task refreshes
      // the same SSM parameters: a check on GET /health (503 while the last refresh failed, the
      // previous values still served) would have ECS stop every task at once during an SSM
      // outage, and their replacements cannot start without SSM.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
      const { HealthCheckPath, Matcher } = props('TargetGroup') as { HealthCheckPath: string; Matcher: { HttpCode: string } };
      const { app } = makeApp({ health: { config: () => false } });

      const res = await inject(app.callback(), { method: 'GET', url: HealthCheckPath });

      expect(Matcher.HttpCode.split(',')).to.include(String(res.statusCode));
    });

    it("closes idle connections to the tasks before they do (the server's keep-alive outlasts the idle timeout)", () => {
      // A target closing an idle connection first races the balancer's next request on it: 502.
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
      const attributes = Object.fromEntries((props('LoadBalancer').LoadBalancerAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, Number(a.Value)]));

      expect(attributes['idle_timeout.timeout_seconds']! * 1000).to.be.below(keepAliveTimeoutMs);
    });

    it('drains a task for less time than ECS gives it after SIGTERM', () => {
      const attributes = Object.fromEntries((props('TargetGroup').TargetGroupAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, Number(a.Value)]));

      expect(attributes['deregistration_delay.timeout_seconds']).to.be.within(1, (container().StopTimeout as number) - 1);
    });

    it('adds an HTTPS listener with a certificate, and HTTP then only redirects to it', () => {
      const http = (props('HttpListener').DefaultActions as { 'Fn::If': [string, Record<string, unknown>, Record<string, unknown>] }[])[0]?.['Fn::If'];
      const https = resource(template, 'HttpsListener');

      expect(https.Condition).to.equal('HasCertificate');
      expect(https.Properties?.SslPolicy).to.match(/^ELBSecurityPolicy-TLS13-1-2-/);
      expect(http?.[0]).to.equal('HasCertificate');
      expect(http?.[1]).to.deep.include({ Type: 'redirect' });
      expect((http?.[1].RedirectConfig)).to.deep.include({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' });
      expect(http?.[2]).to.deep.equal({ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } });
    });

    it('creates the service only after the listener that forwards to its target group and the albDnsName its tasks read', () => {
      expect(resource(template, 'Service').Metadata).to.deep.equal({
        ForwardingListener: { 'Fn::If': ['HasCertificate', { Ref: 'HttpsListener' }, { Ref: 'HttpListener' }] },
        StartsAfter: { Ref: 'AlbDnsNameParameter' },
      });
    });

    it('lets only the load balancer reach the tasks, on the container port', () => {
      expect(props('TasksFromLoadBalancer').SourceSecurityGroupId).to.deep.equal({ Ref: 'LoadBalancerSecurityGroup' });
      expect(props('TaskSecurityGroup').SecurityGroupIngress).to.equal(undefined);
    });

    it('lets the load balancer send to the tasks on the container port and nowhere else', () => {
      // A group with no inline egress rule gets EC2's allow-all rule, which separate
      // AWS::EC2::SecurityGroupEgress resources do not remove.
      const port = (container().PortMappings as { ContainerPort: unknown }[])[0]?.ContainerPort;

      expect(props('LoadBalancerSecurityGroup').SecurityGroupEgress).to.deep.equal([
        { IpProtocol: 'tcp', FromPort: port, ToPort: port, DestinationSecurityGroupId: { Ref: 'TaskSecurityGroup' }, Description: 'Requests and health checks to the tasks' },
      ]);
      expect(resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')).to.deep.equal({});
    });

    it('lets CloudFormation name the load balancer and target group, so that an update may replace them', () => {
      // LoadBalancerScheme (internet-facing or internal), VpcId and the target group's port or
      // protocol are replaced on update, which CloudFormation refuses for a resource with a fixed name.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html
      expect([props('LoadBalancer').Name, props('TargetGroup').Name]).to.deep.equal([undefined, undefined]);
      expect(props('LoadBalancer').Scheme).to.deep.equal({ Ref: 'LoadBalancerScheme' });
    });

    it('has a WAF web ACL whose body rules and general rate limit stay off /webhook, and logs to aws-waf-logs-*', () => {
      const rules = props('WebAcl').Rules as { Name: string; Statement: Record<string, { Name?: string; ScopeDownStatement?: unknown }> }[];
      const scope = (rule: (typeof rules)[number]) => JSON.stringify(Object.values(rule.Statement)[0]?.ScopeDownStatement ?? null);
      const bodyRules = rules.filter((rule) => /KnownBadInputs|CommonRuleSet/.test(rule.Statement.ManagedRuleGroupStatement?.Name ?? '') || rule.Name === 'rate-limit-outside-webhooks');

      expect(bodyRules).to.have.length(3);
      expect(bodyRules.map(scope)).to.satisfy((scopes: string[]) => scopes.every((s) => s.startsWith('{"NotStatement"') && s.includes('^/webhook(/|$)')));
      expect(props('WebAclAssociation').ResourceArn).to.deep.equal({ Ref: 'LoadBalancer' });
      expect(subText(props('WebAclLogGroup').LogGroupName)).to.match(/^aws-waf-logs-/);
      // WAF refuses the ":*" a log group's Arn attribute ends with.
      const destinations = (props('WebAclLogging').LogDestinationConfigs as unknown[]).map(resolverFor(required));
      expect(destinations).to.deep.equal(['arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-acme-service']);
    });
  });

  describe('scaling and alarms', () => {
    it('tracks CPU and the queue backlog per running task on the service', () => {
      const policies = Object.values(resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties ?? {});
      const backlog = (policies[1]?.TargetTrackingScalingPolicyConfiguration as { CustomizedMetricSpecification: { Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[] } }).CustomizedMetricSpecification.Metrics;

      expect(policies.map((p) => p.PolicyType)).to.deep.equal(['TargetTrackingScaling', 'TargetTrackingScaling']);
      expect((policies[0]?.TargetTrackingScalingPolicyConfiguration as { PredefinedMetricSpecification: unknown }).PredefinedMetricSpecification).to.deep.equal({ PredefinedMetricType: 'ECSServiceAverageCPUUtilization' });
      expect(backlog.map((m) => m.Expression ?? m.MetricStat?.Metric.MetricName)).to.deep.equal(['ApproximateNumberOfMessagesVisible', 'RunningTaskCount', 'visible / MAX([tasks, 1])']);
      expect(props('Cluster').ClusterSettings).to.deep.equal([{ Name: 'containerInsights', Value: 'enabled' }]);
      expect(subText(props('ScalableTarget').ResourceId)).to.equal('service/${Cluster}/${Service.Name}');
    });

    it('alarms on CPU, memory, unhealthy tasks and 5XX from the tasks and from the load balancer', () => {
      const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((alarm) => `${String(alarm.Properties?.Namespace)} ${String(alarm.Properties?.MetricName)}`);

      expect(alarms).to.deep.equal([
        'AWS/ECS CPUUtilization',
        'AWS/ECS MemoryUtilization',
        'AWS/ApplicationELB UnHealthyHostCount',
        'AWS/ApplicationELB HTTPCode_Target_5XX_Count',
        'AWS/ApplicationELB HTTPCode_ELB_5XX_Count',
      ]);
    });

    it('keeps the service between MinTasks and MaxTasks, and leaves its task count to auto scaling on updates', () => {
      // A DesiredCount in the template is set again at every stack update, undoing a scale-out;
      // registering the scalable target raises a new service to MinCapacity.
      expect([props('ScalableTarget').MinCapacity, props('ScalableTarget').MaxCapacity, props('Service').DesiredCount]).to.deep.equal([
        { Ref: 'MinTasks' }, { Ref: 'MaxTasks' }, undefined,
      ]);
    });
  });
});
