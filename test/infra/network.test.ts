import { expect } from 'chai';
import { loadTemplate, resourcesOfType } from './helpers/cloudformation-yaml.ts';

const network = loadTemplate('infra/network.yaml');
const service = loadTemplate('infra/service.yaml');

describe('infra/network.yaml', () => {
  it('has private subnets only: no internet or NAT gateway, no route out, no public addresses', () => {
    const types = Object.values(network.Resources).map((r) => r.Type);
    const subnets = Object.values(resourcesOfType(network, 'AWS::EC2::Subnet'));

    expect(types).to.not.include.members(['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::Route']);
    expect(subnets).to.have.length(2);
    expect(subnets.map((s) => s.Properties?.MapPublicIpOnLaunch ?? false)).to.deep.equal([false, false]);
  });

  it('reaches SQS, SSM, CloudWatch Logs and ECR through endpoints, and S3 for image layers', () => {
    const services = Object.values(resourcesOfType(network, 'AWS::EC2::VPCEndpoint')).map((endpoint) => {
      const name = (endpoint.Properties?.ServiceName as { 'Fn::Sub': string })['Fn::Sub'].replace('com.amazonaws.${AWS::Region}.', '');
      return `${name} ${String(endpoint.Properties?.VpcEndpointType)}`;
    });

    expect(services).to.have.members(['sqs Interface', 'ssm Interface', 'logs Interface', 'ecr.api Interface', 'ecr.dkr Interface', 's3 Gateway']);
  });

  it('outputs what the service stack takes as SubnetIds and SecurityGroupIds', () => {
    const outputs = Object.keys(network.Outputs ?? {});

    expect(outputs).to.include.members(['PrivateSubnetIds', 'FunctionSecurityGroupId']);
    expect(Object.keys(service.Parameters ?? {})).to.include.members(['SubnetIds', 'SecurityGroupIds']);
  });
});
