import type { Resource } from '../helpers/cloudformation-yaml.ts';
import { computeUnitsOf, type ComputeUnit } from '../helpers/compute-units.ts';
import { networkOutputs, renderDeployment, type RenderedDeployment } from '../helpers/deployments.ts';
import { createResolver } from '../helpers/resolve-value.ts';
import { resourcesOf, targetOf, type Rule } from './rule.ts';

interface Network {
  vpc: Resource;
  subnets: string[];
  functionGroupId: string;
  functionGroup: Resource;
  resources: Record<string, Resource>;
  routeTables: string[];
  endpoints: { id: string; service: string; type: string; privateDns: boolean; routeTables: string[]; groups: string[] }[];
  natRoute: boolean;
}

function readNetwork(network: RenderedDeployment): Network {
  const resolve = createResolver(network.template, network.parameters);
  const outputs = network.template.Outputs ?? {};
  const subnets = ((outputs.PrivateSubnetIds?.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]).map((s) => targetOf(s) ?? '');
  const functionGroupId = targetOf(outputs.FunctionSecurityGroupId?.Value) ?? '';
  const associations = resourcesOf(network, 'AWS::EC2::SubnetRouteTableAssociation').map(([, a]) => a.Properties ?? {});
  const routeTables = [...new Set(associations.filter((a) => subnets.includes(targetOf(a.SubnetId) ?? '')).map((a) => targetOf(a.RouteTableId) ?? ''))];
  const [vpc] = resourcesOf(network, 'AWS::EC2::VPC');
  return {
    vpc: vpc?.[1] ?? { Type: 'none' },
    subnets,
    functionGroupId,
    functionGroup: network.template.Resources[functionGroupId] ?? { Type: 'none' },
    resources: network.template.Resources,
    routeTables,
    endpoints: resourcesOf(network, 'AWS::EC2::VPCEndpoint').map(([id, e]) => ({
      id,
      service: String(resolve(e.Properties?.ServiceName)).replace(/^com\.amazonaws\.[a-z0-9-]+\./, ''),
      type: typeof e.Properties?.VpcEndpointType === 'string' ? e.Properties.VpcEndpointType : 'Gateway',
      privateDns: e.Properties?.PrivateDnsEnabled === true,
      routeTables: ((e.Properties?.RouteTableIds ?? []) as unknown[]).map((r) => targetOf(r) ?? ''),
      groups: ((e.Properties?.SecurityGroupIds ?? []) as unknown[]).map((g) => targetOf(g) ?? ''),
    })),
    natRoute: resourcesOf(network, 'AWS::EC2::Route').some(
      ([, r]) => routeTables.includes(targetOf(r.Properties?.RouteTableId) ?? '') && r.Properties?.DestinationCidrBlock === '0.0.0.0/0' && r.Properties.NatGatewayId !== undefined,
    ),
  };
}

/** Whether a security group's rules (egress, or ingress) let TCP 443 through to/from `peer`. */
function opens443(rules: unknown, peer: (rule: Record<string, unknown>) => boolean): boolean {
  return ((rules ?? []) as Record<string, unknown>[]).some(
    (rule) => (rule.IpProtocol === '-1' || (rule.IpProtocol === 'tcp' && Number(rule.FromPort) <= 443 && Number(rule.ToPort) >= 443)) && peer(rule),
  );
}

/**
 * The security groups a unit runs with: the network's function group when the unit names the id
 * it outputs (`networkOutputs`), and groups of the unit's own template (an ECS task's).
 */
function groupsOf(unit: ComputeUnit, deployment: RenderedDeployment, net: Network): { inNetworkGroup: boolean; egress: unknown[] } {
  const ids = unit.vpc?.securityGroupIds ?? [];
  const own = Object.entries(deployment.template.Resources).filter(([id, group]) => group.Type === 'AWS::EC2::SecurityGroup' && ids.includes(`${id}-id`));
  const inNetworkGroup = ids.includes(networkOutputs.FunctionSecurityGroupId);
  const egress = [...(inNetworkGroup ? [net.functionGroup] : []), ...own.map(([, group]) => group)].flatMap((group) => (group.Properties?.SecurityGroupEgress ?? []) as unknown[]);
  return { inNetworkGroup, egress };
}

/**
 * Code in a VPC reaches only what the VPC routes it to: each endpoint the code calls (derived
 * from the code), and for an ECS task what Fargate calls on its behalf (the image, the logs),
 * needs an interface endpoint with private DNS, a gateway endpoint on the subnets' route table,
 * or a NAT route, and security groups that let HTTPS through: the unit's own egress, and an
 * endpoint's ingress from a group the unit has. An interface endpoint nobody calls is an hourly
 * charge for nothing. The network checked is the one the configuration names (`network` in
 * helpers/deployments.ts), built from its outputs.
 */
export const reachesEveryCallFromTheVpc: Rule = {
  title: 'reaches every AWS endpoint the code calls from the VPC, with no endpoint nobody calls',
  source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html',
  check: (deployment) => {
    const units = computeUnitsOf(deployment).filter((unit) => unit.vpc);
    if (units.length === 0) return [];
    if (!deployment.network) return [`${units.map((unit) => unit.id).join(', ')} run in a VPC, but the configuration names no network to check them against`];
    const net = readNetwork(renderDeployment(deployment.network));
    const problems: string[] = [];
    const interfaceEndpoints = net.endpoints.filter((e) => e.type === 'Interface');
    if (interfaceEndpoints.some((e) => e.privateDns) && !(net.vpc.Properties?.EnableDnsSupport === true && net.vpc.Properties.EnableDnsHostnames === true)) {
      problems.push('private DNS for interface endpoints needs EnableDnsSupport and EnableDnsHostnames on the VPC');
    }
    const called = new Set<string>();
    for (const unit of units) {
      const { inNetworkGroup, egress } = groupsOf(unit, deployment, net);
      const toAnywhere = opens443(egress, (rule) => rule.CidrIp === '0.0.0.0/0');
      for (const call of [...unit.calls, ...unit.platformCalls]) {
        called.add(call.endpoint);
        const interfaceEndpoint = interfaceEndpoints.find((e) => e.service === call.endpoint);
        const gateway = net.endpoints.find((e) => e.type === 'Gateway' && e.service === call.endpoint && net.routeTables.every((t) => e.routeTables.includes(t)));
        const what = `${unit.id} calls ${call.endpoint} (${call.action ?? 'HTTPS'}, from ${call.from})`;
        if (interfaceEndpoint) {
          if (!interfaceEndpoint.privateDns) problems.push(`${what}: ${interfaceEndpoint.id} has no private DNS, so the SDK's default host does not reach it`);
          const admits = interfaceEndpoint.groups.some((g) =>
            opens443(net.resources[g]?.Properties?.SecurityGroupIngress, (rule) => (inNetworkGroup && targetOf(rule.SourceSecurityGroupId) === net.functionGroupId) || rule.CidrIp !== undefined),
          );
          if (!admits) problems.push(`${what}: the security groups of ${interfaceEndpoint.id} admit HTTPS from none of its security groups`);
          if (!toAnywhere && !opens443(egress, (rule) => rule.CidrIp !== undefined || rule.DestinationSecurityGroupId !== undefined)) problems.push(`${what}: its security groups send no HTTPS out`);
        } else if (gateway || net.natRoute) {
          if (!toAnywhere) problems.push(`${what}: ${gateway ? 'the gateway endpoint' : 'NAT'} carries it to public addresses, which its security groups do not allow`);
        } else {
          problems.push(`${what}: no endpoint and no NAT route from its subnets`);
        }
      }
    }
    for (const endpoint of interfaceEndpoints) if (!called.has(endpoint.service)) problems.push(`${endpoint.id}: no function calls ${endpoint.service}`);
    return problems;
  },
};
