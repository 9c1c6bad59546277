import { expect } from 'chai';
import { loadTemplate, resourcesOfType, type Template } from './helpers/cloudformation-yaml.ts';
import { renderTemplate } from './helpers/render-template.ts';

// infra/network.yaml as CloudFormation creates it with each InternetAccess value. Which
// endpoints the code needs is derived from the code by test/infra/rules/network.ts.
const network = loadTemplate('infra/network.yaml');
const service = loadTemplate('infra/service.yaml');
const render = (internetAccess: string): Template => renderTemplate(network, { DeploymentId: 'acme', InternetAccess: internetAccess });

function endpoints(template: Template): string[] {
  return Object.values(resourcesOfType(template, 'AWS::EC2::VPCEndpoint')).map((endpoint) => {
    const name = (endpoint.Properties?.ServiceName as { 'Fn::Sub': string })['Fn::Sub'].replace('com.amazonaws.${AWS::Region}.', '');
    return `${name} ${String(endpoint.Properties?.VpcEndpointType)}`;
  });
}

describe('infra/network.yaml', () => {
  it('has no route out of the VPC with InternetAccess=none: no internet or NAT gateway, no public subnet', () => {
    const types = Object.values(render('none').Resources).map((r) => r.Type);

    expect(types).to.not.include.members(['AWS::EC2::InternetGateway']);
    expect(types.filter((type) => ['AWS::EC2::NatGateway', 'AWS::EC2::Route', 'AWS::EC2::EIP'].includes(type))).to.deep.equal([]);
    expect(Object.keys(resourcesOfType(render('none'), 'AWS::EC2::Subnet'))).to.deep.equal(['PrivateSubnetA', 'PrivateSubnetB']);
  });

  it('routes the private subnets to one NAT gateway in a public subnet with InternetAccess=nat', () => {
    const routes = Object.values(resourcesOfType(render('nat'), 'AWS::EC2::Route')).map((route) => route.Properties ?? {});

    expect(routes).to.deep.equal([
      { RouteTableId: { Ref: 'PublicRouteTable' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'InternetGateway' } },
      { RouteTableId: { Ref: 'PrivateRouteTable' }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: 'NatGateway' } },
    ]);
  });

  it('reaches SQS and SSM through interface endpoints and DynamoDB through a gateway endpoint, and nothing else', () => {
    expect(endpoints(render('none'))).to.deep.equal(['sqs Interface', 'ssm Interface', 'dynamodb Gateway']);
  });

  it('gives an internet-facing load balancer public subnets in two zones with InternetAccess=nat (infra/container.yaml)', () => {
    const subnets = resourcesOfType(render('nat'), 'AWS::EC2::Subnet');
    const publicIds = (render('nat').Outputs?.PublicSubnetIds?.Value as { 'Fn::Join': [string, { Ref: string }[]] })['Fn::Join'][1].map((s) => s.Ref);
    const associations = Object.values(resourcesOfType(render('nat'), 'AWS::EC2::SubnetRouteTableAssociation')).map((a) => [a.Properties?.SubnetId, a.Properties?.RouteTableId]);

    expect(publicIds).to.deep.equal(['PublicSubnetA', 'PublicSubnetB']);
    expect(publicIds.map((id) => subnets[id]?.Properties?.AvailabilityZone)).to.deep.equal([{ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }]);
    expect(associations).to.deep.include.members(publicIds.map((id) => [{ Ref: id }, { Ref: 'PublicRouteTable' }]));
    expect(Object.keys(loadTemplate('infra/container.yaml').Parameters ?? {})).to.include.members(['VpcId', 'LoadBalancerSubnetIds', 'TaskSubnetIds']);
  });

  it('outputs what the service stack takes as SubnetIds and SecurityGroupIds', () => {
    expect(Object.keys(network.Outputs ?? {})).to.include.members(['PrivateSubnetIds', 'FunctionSecurityGroupId']);
    expect(Object.keys(service.Parameters ?? {})).to.include.members(['SubnetIds', 'SecurityGroupIds']);
  });
});
