import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadTemplate, resource } from './helpers/cloudformation-yaml.ts';
import { imageUri } from './helpers/deployments.ts';
import { renderTemplate } from './helpers/render-template.ts';

// infra/pipeline.yaml and infra/buildspec.yml. CodeBuild cannot run here, so this checks what
// the build would do: its commands, their order, the variables they need, the functions they touch.
const pipeline = loadTemplate('infra/pipeline.yaml');
const service = loadTemplate('infra/service.yaml');
const container = loadTemplate('infra/container.yaml');
// The pipeline as CloudFormation creates it: deploying the service stack only, or the container stack too.
const pipelineParameters = { DeploymentId: 'acme', ConnectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-0000-0000-0000-000000000000', FullRepositoryId: 'acme/webhook-intake' };
const serviceOnly = renderTemplate(pipeline, pipelineParameters);
const withContainer = renderTemplate(pipeline, { ...pipelineParameters, ContainerConfigurationPath: 'infra/container-configuration.json' });
type Stage = { Name: string; Actions: { Name: string; RunOrder?: number; ActionTypeId: { Provider: string }; Configuration: Record<string, unknown> }[] };
const stagesOf = (template: typeof pipeline) => template.Resources.Pipeline?.Properties?.Stages as Stage[];
const props = (logicalId: string) => resource(pipeline, logicalId).Properties ?? {};

interface BuildSpec {
  phases: Record<string, { commands?: string[]; 'runtime-versions'?: Record<string, unknown> }>;
}
const buildspecPath = (props('BuildProject').Source as { BuildSpec: string }).BuildSpec;
const buildspec = parse(readFileSync(buildspecPath, 'utf8')) as BuildSpec;
const commands = ['install', 'pre_build', 'build', 'post_build'].flatMap((phase) => buildspec.phases[phase]?.commands ?? []);

function indexOf(pattern: RegExp): number {
  const index = commands.findIndex((command) => pattern.test(command));
  if (index < 0) throw new Error(`No buildspec command matches ${pattern}`);
  return index;
}

describe('infra/pipeline.yaml', () => {
  it('keeps images in a repository that scans on push, never retags, and expires old images', () => {
    const repository = props('ImageRepository');
    const rules = (JSON.parse((repository.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText) as { rules: { selection: Record<string, unknown> }[] }).rules;

    expect([repository.ImageScanningConfiguration, repository.ImageTagMutability]).to.deep.equal([{ ScanOnPush: true }, 'IMMUTABLE']);
    expect(rules.map((rule) => rule.selection)).to.deep.equal([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
    ]);
  });

  it('builds from the source connection in privileged mode (docker build), then deploys the service stack with a CloudFormation action', () => {
    const stages = stagesOf(serviceOnly);
    const deploy = stages.find((stage) => stage.Name === 'Deploy')?.Actions[0]?.Configuration;

    expect(existsSync(buildspecPath)).to.equal(true);
    expect(stages.map((stage) => stage.Actions.map((action) => action.ActionTypeId.Provider))).to.deep.equal([['CodeStarSourceConnection'], ['CodeBuild'], ['CloudFormation']]);
    expect((props('BuildProject').Environment as { PrivilegedMode: boolean }).PrivilegedMode).to.equal(true);
    expect(deploy).to.deep.include({ ActionMode: 'CREATE_UPDATE', TemplatePath: 'Build::service.yaml', TemplateConfiguration: 'Build::service-configuration.json', Capabilities: 'CAPABILITY_IAM' });
    expect((deploy?.StackName as { 'Fn::Sub': string })['Fn::Sub']).to.equal('${DeploymentId}-service');
  });

  it('deploys the container stack after the service stack, from the same build, when a container configuration is given', () => {
    const actions = stagesOf(withContainer).find((stage) => stage.Name === 'Deploy')?.Actions ?? [];
    const [first, second] = actions;

    expect(actions.map((action) => [action.Name, action.RunOrder])).to.deep.equal([['ServiceStack', 1], ['ContainerStack', 2]]);
    expect(second?.Configuration).to.deep.include({ ActionMode: 'CREATE_UPDATE', TemplatePath: 'Build::container.yaml', TemplateConfiguration: 'Build::container-configuration.json', Capabilities: 'CAPABILITY_IAM', RoleArn: first?.Configuration.RoleArn });
    expect((second?.Configuration.StackName as { 'Fn::Sub': string })['Fn::Sub']).to.equal('${DeploymentId}-container');
    expect(commands.find((command) => command.includes('$CONTAINER_CONFIGURATION"'))).to.contain('.Parameters.ImageUri = $image').and.contain('> deploy/container-configuration.json');
    expect((buildspec as unknown as { artifacts: { files: string[] } }).artifacts.files).to.include.members(['container.yaml', 'container-configuration.json']);
  });

  it('tests before it builds, pushes before it writes the deployment, and writes it only after a successful build', () => {
    const order = [/^npm ci$/, /^npm test$/, /docker build /, /docker push /, /infra:template/, /service-configuration\.json/].map(indexOf);

    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(buildspec.phases.post_build?.commands?.[0]).to.contain('CODEBUILD_BUILD_SUCCEEDING');
    expect(commands.join('\n')).to.not.match(/get-function|update-function-code/);
  });

  it('hands the deploy action exactly the files it reads, the template and its configuration with the image digest', () => {
    const artifacts = (buildspec as unknown as { artifacts: { 'base-directory': string; files: string[] } }).artifacts;

    expect(artifacts.files).to.include.members(['service.yaml', 'service-configuration.json']);
    expect(commands.find((command) => command.startsWith('jq '))).to.contain('.Parameters.ImageUri = $image').and.contain('> deploy/service-configuration.json');
    expect(artifacts['base-directory']).to.equal('deploy');
  });

  it('builds a single-platform image without attestations, which Lambda accepts', () => {
    expect(commands[indexOf(/docker build /)]).to.match(/--provenance=false/).and.match(/--platform linux\/amd64/);
  });

  it('runs only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: object }).scripts);
    const used = commands.flatMap((command) => [...command.matchAll(/\bnpm (?:run (?:--silent )?)?(\w[\w:-]*)/g)].map((m) => m[1])).filter((name) => name !== 'ci');

    expect(used.filter((name) => !scripts.includes(name ?? ''))).to.deep.equal([]);
  });

  it('defines every variable the buildspec reads that CodeBuild does not set', () => {
    const defined = (props('BuildProject').Environment as { EnvironmentVariables: { Name: string }[] }).EnvironmentVariables.map((v) => v.Name);
    const assigned = commands.flatMap((command) => [...command.matchAll(/\b([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]));
    const read = new Set(commands.flatMap((command) => [...command.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? '')));

    const missing = [...read].filter((name) => !name.startsWith('CODEBUILD_') && name !== 'AWS_REGION' && !assigned.includes(name) && !defined.includes(name));

    expect(missing).to.deep.equal([]);
  });

  for (const [name, template] of [['service', service], ['container', container]] as const) {
    it(`ships a ${name} configuration whose parameters the ${name} template takes, every required one but ImageUri set`, () => {
      const configuration = JSON.parse(readFileSync(`infra/${name}-configuration.json`, 'utf8')) as { Parameters: Record<string, string> };
      const parameters = template.Parameters ?? {};
      const required = Object.entries(parameters).filter(([, p]) => p.Default === undefined).map(([parameter]) => parameter);

      expect(Object.keys(configuration.Parameters).filter((parameter) => !(parameter in parameters))).to.deep.equal([]);
      expect(required.filter((parameter) => parameter !== 'ImageUri' && !(parameter in configuration.Parameters))).to.deep.equal([]);
      expect(() => renderTemplate(template, { ...configuration.Parameters, ImageUri: imageUri })).to.not.throw();
    });
  }

  it('lets CloudFormation, not the build, change the service: the build role touches no function and no stack', () => {
    const role = resource(pipeline, 'BuildRole').Properties?.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
    const actions = role.flatMap((p) => p.PolicyDocument.Statement).flatMap((s) => [s.Action].flat());

    expect(actions.filter((action) => action.startsWith('lambda:') || action.startsWith('cloudformation:'))).to.deep.equal([]);
  });

  // CloudFormation names an unnamed resource <stack name>-<logical id>-<random id> and shortens
  // it to fit the service's limit (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html):
  // shortened, a name no longer starts with <DeploymentId>-service- (or -container-) and
  // DeployRole, which may manage only names with that prefix, is refused its own stack's role or
  // bucket. Every such name must fit whole for the longest DeploymentId the templates allow (a
  // random id of at most 13 characters; IAM role names 64, managed policies 128, S3 buckets 63
  // in lower case: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
  it('lets the deploy role manage every role, policy and bucket the stacks name after themselves, for the longest DeploymentId', () => {
    const longest = (template: typeof service) => {
      const pattern = String(template.Parameters?.DeploymentId?.AllowedPattern);
      return Number(/\{1,(\d+)\}\$$/.exec(pattern)?.[1]) + 1;
    };
    const limits: Record<string, [number, (name: string) => string]> = {
      'AWS::IAM::Role': [64, (name) => name],
      'AWS::IAM::ManagedPolicy': [128, (name) => name],
      'AWS::S3::Bucket': [63, (name) => name.toLowerCase()],
    };
    const nameProperty: Record<string, string> = { 'AWS::IAM::Role': 'RoleName', 'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::S3::Bucket': 'BucketName' };
    const id = 'a'.repeat(longest(pipeline));
    const generated = ([[service, 'service'], [container, 'container']] as const).flatMap(([template, stack]) =>
      Object.entries(template.Resources).flatMap(([logicalId, r]) => {
        const limit = limits[r.Type];
        if (!limit || r.Properties?.[nameProperty[r.Type] ?? ''] !== undefined) return [];
        return [{ name: limit[1](`${id}-${stack}-${logicalId}-${'X'.repeat(13)}`), limit: limit[0] }];
      }),
    );
    const deployResources = JSON.stringify(resource(pipeline, 'DeployRole').Properties?.Policies);

    expect([longest(service), longest(container), longest(pipeline)]).to.deep.equal([20, 20, 20]);
    expect(generated.length).to.be.above(6);
    expect(generated.filter(({ name, limit }) => name.length > limit).map(({ name }) => name)).to.deep.equal([]);
    expect(deployResources).to.contain(':role/${DeploymentId}-service-*').and.contain(':role/${DeploymentId}-container-*').and.contain(':policy/${DeploymentId}-service-*').and.contain(':s3:::${DeploymentId}-service-*');
  });

  // CloudFormation creates the stacks as DeployRole: every resource type there needs some action
  // of its service (a type with none fails the first create).
  const prefixes: Record<string, string> = { ApiGateway: 'apigateway', ApiGatewayV2: 'apigateway', Cognito: 'cognito-idp', WAFv2: 'wafv2', CloudWatch: 'cloudwatch', ElasticLoadBalancingV2: 'elasticloadbalancing', ApplicationAutoScaling: 'application-autoscaling' };
  const missingServices = (deployed: typeof pipeline, stacks: (typeof pipeline)[]) => {
    const statements = (resource(deployed, 'DeployRole').Properties?.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const allowed = new Set(statements.flatMap((st) => [st.Action].flat()).map((action) => action.split(':')[0]));
    const services = new Set(stacks.flatMap((stack) => Object.values(stack.Resources)).map((r) => r.Type.split('::')[1] ?? '').filter((name) => name !== 'CloudFormation'));
    return [...services].map((name) => prefixes[name] ?? name.toLowerCase()).filter((prefix) => !allowed.has(prefix));
  };

  it('lets the deploy role act on every AWS service whose resources service.yaml creates', () => {
    expect(missingServices(serviceOnly, [service])).to.deep.equal([]);
  });

  it('lets the deploy role act on every AWS service whose resources container.yaml creates too when it deploys it, and on nothing of ECS otherwise', () => {
    const actions = (deployed: typeof pipeline) => (resource(deployed, 'DeployRole').Properties?.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[]).flatMap((p) => p.PolicyDocument.Statement).flatMap((st) => [st.Action].flat());

    expect(missingServices(withContainer, [service, container])).to.deep.equal([]);
    expect(actions(serviceOnly).filter((action) => /^(ecs|elasticloadbalancing|application-autoscaling):/.test(action))).to.deep.equal([]);
  });
});
