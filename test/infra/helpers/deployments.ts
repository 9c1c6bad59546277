import { loadTemplate, type Template } from './cloudformation-yaml.ts';
import { renderTemplate, type ParameterValues } from './render-template.ts';

/** One configuration of a template: the parameter values an operator would deploy it with. */
export interface Deployment {
  file: string;
  name: string;
  parameters: ParameterValues;
  /** The network stack its functions run in, when they run in a VPC. */
  network?: Deployment;
}

/** A deployment as CloudFormation would create it (conditions evaluated, see renderTemplate). */
export interface RenderedDeployment extends Deployment {
  template: Template;
}

/**
 * Every combination of the given parameter choices on top of `base`: the deploy-readiness
 * matrix. Each choice names its values so a failing configuration reads as a sentence.
 */
export function matrix(file: string, base: ParameterValues, choices: Record<string, Record<string, ParameterValues>>): Deployment[] {
  let combinations: { names: string[]; parameters: ParameterValues }[] = [{ names: [], parameters: base }];
  for (const options of Object.values(choices)) {
    combinations = combinations.flatMap((combination) =>
      Object.entries(options).map(([name, parameters]) => ({ names: [...combination.names, name], parameters: { ...combination.parameters, ...parameters } })),
    );
  }
  return combinations.map(({ names, parameters }) => ({ file, name: names.join(', '), parameters }));
}

export const accountId = '123456789012';

/** What infra/network.yaml outputs, as the configurations below pass it to the stacks that run in it. */
export const networkOutputs = { PrivateSubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210', FunctionSecurityGroupId: 'sg-0123456789abcdef0' };
export const imageUri = `${accountId}.dkr.ecr.eu-west-1.amazonaws.com/acme-service@sha256:${'a'.repeat(64)}`;

const serviceMatrix = matrix(
  'infra/service.yaml',
  { DeploymentId: 'acme', PipelineId: 'main', ImageUri: imageUri, SubnetIds: '', SecurityGroupIds: '' },
  {
    api: { 'REST API': { ApiFlavour: 'rest' }, 'HTTP API': { ApiFlavour: 'http' }, 'both APIs': { ApiFlavour: 'both' } },
    network: {
      'no VPC': {},
      'in a VPC': { SubnetIds: networkOutputs.PrivateSubnetIds, SecurityGroupIds: networkOutputs.FunctionSecurityGroupId },
    },
    auth: { 'Cognito auth': { AuthMode: 'cognito' }, 'IAM auth': { AuthMode: 'iam' } },
    alarms: { 'its own alarm topic': { AlarmEmail: 'ops@example.com' }, 'an existing alarm topic': { AlarmTopicArn: `arn:aws:sns:eu-west-1:${accountId}:ops-alarms` } },
  },
);

/** The network infra/README.md says to deploy for a service configuration: NAT when Cognito tokens are verified (JWKS). */
function networkFor(parameters: ParameterValues): Deployment | undefined {
  if (!parameters.SubnetIds) return undefined;
  const internetAccess = parameters.AuthMode === 'iam' ? 'none' : 'nat';
  return { file: 'infra/network.yaml', name: `InternetAccess=${internetAccess}`, parameters: { DeploymentId: 'acme', InternetAccess: internetAccess } };
}

/** infra/README.md, "Container service": the tasks pull the image and write logs through the NAT gateway. */
const containerNetwork: Deployment = { file: 'infra/network.yaml', name: 'InternetAccess=nat', parameters: { DeploymentId: 'acme', InternetAccess: 'nat' } };

const service = serviceMatrix.map((deployment) => {
  const network = networkFor(deployment.parameters);
  return network ? { ...deployment, network } : deployment;
});

/**
 * Every template the deploy-readiness suite checks, in every configuration it supports. A new
 * template joins the suite with one more entry here.
 */
export const deployments: Deployment[] = [
  ...service,
  ...(['rest', 'http', 'both'] as const).map((flavour) => ({
    file: 'infra/service.yaml',
    name: `a custom domain at the root of the ${flavour} API${flavour === 'both' ? 's' : ''}`,
    parameters: {
      ...service[0]?.parameters,
      ApiFlavour: flavour,
      PublicHostName: 'hooks.example.com',
      CertificateArn: `arn:aws:acm:eu-west-1:${accountId}:certificate/01234567-89ab-cdef-0123-456789abcdef`,
    },
  })),
  {
    file: 'infra/service.yaml',
    name: 'every provider signed, one secret in Secrets Manager, a customer managed key for secrets',
    parameters: {
      ...service[0]?.parameters,
      ApiFlavour: 'both',
      StripeSigningParameter: '/aws/reference/secretsmanager/acme/stripe',
      GitHubSigningParameter: '/acme/webhooks/github',
      TwilioSigningParameter: '/acme/webhooks/twilio',
      ShopifySigningParameter: '/acme/webhooks/shopify',
      SlackSigningParameter: '/acme/webhooks/slack',
      StandardSigningParameter: '/acme/webhooks/standard',
      SecretsKmsKeyArn: `arn:aws:kms:eu-west-1:${accountId}:key/0a1b2c3d-0000-0000-0000-000000000000`,
    },
  },
  {
    file: 'infra/service.yaml',
    name: 'a customer managed key for the data, signature headers required at the edge, no canary, no reserved concurrency',
    parameters: {
      ...service[0]?.parameters,
      ApiFlavour: 'both',
      KmsKeyArn: `arn:aws:kms:eu-west-1:${accountId}:key/1a2b3c4d-0000-0000-0000-000000000000`,
      RequireSignatureHeaders: 'on',
      HealthCanary: 'off',
      ReserveWorkerConcurrency: 'off',
    },
  },
  { file: 'infra/service.yaml', name: 'next to the container service (infra/container.yaml)', parameters: { ...service[0]?.parameters, ContainerService: 'on' } },
  ...matrix('infra/pipeline.yaml', {
    DeploymentId: 'acme',
    ConnectionArn: `arn:aws:codeconnections:eu-west-1:${accountId}:connection/0a1b2c3d-0000-0000-0000-000000000000`,
    FullRepositoryId: 'acme/webhook-intake',
  }, { stacks: { 'the service stack': {}, 'the service and container stacks': { ContainerConfigurationPath: 'infra/container-configuration.json' } } }),
  ...matrix('infra/network.yaml', { DeploymentId: 'acme' }, { internet: { 'no internet access': { InternetAccess: 'none' }, 'a NAT gateway': { InternetAccess: 'nat' } } }),
  ...matrix(
    'infra/container.yaml',
    {
      DeploymentId: 'acme',
      PipelineId: 'main',
      ImageUri: imageUri,
      VpcId: 'vpc-0123456789abcdef0',
      LoadBalancerSubnetIds: 'subnet-0123456789abcdef1,subnet-0fedcba9876543211',
      TaskSubnetIds: '',
      TaskSecurityGroupIds: '',
    },
    {
      network: {
        'tasks in public subnets': {},
        "tasks in network.yaml's private subnets": { TaskSubnetIds: networkOutputs.PrivateSubnetIds, TaskSecurityGroupIds: networkOutputs.FunctionSecurityGroupId },
      },
      listener: {
        'HTTP only': {},
        HTTPS: { CertificateArn: `arn:aws:acm:eu-west-1:${accountId}:certificate/01234567-89ab-cdef-0123-456789abcdef`, PublicHostName: 'hooks.example.com' },
      },
      secrets: {
        'SSM signing parameters': { StripeSigningParameter: '/acme/webhooks/stripe' },
        'a Secrets Manager secret and customer managed keys': {
          StripeSigningParameter: '/aws/reference/secretsmanager/acme/stripe',
          SecretsKmsKeyArn: `arn:aws:kms:eu-west-1:${accountId}:key/01234567-89ab-cdef-0123-456789abcdef`,
          KmsKeyArn: `arn:aws:kms:eu-west-1:${accountId}:key/89abcdef-0123-4567-89ab-cdef01234567`,
          AlarmTopicArn: `arn:aws:sns:eu-west-1:${accountId}:ops-alarms`,
        },
      },
    },
  ).map((deployment) => (deployment.parameters.TaskSubnetIds ? { ...deployment, network: containerNetwork } : deployment)),
];

const templates = new Map<string, Template>();

/** Renders a deployment's template (each file is read once). */
export function renderDeployment(deployment: Deployment): RenderedDeployment {
  let template = templates.get(deployment.file);
  if (!template) templates.set(deployment.file, (template = loadTemplate(deployment.file)));
  return { ...deployment, template: renderTemplate(template, deployment.parameters) };
}
