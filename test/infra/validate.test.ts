import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegoEngine, TemplateFile, type Engine, type StandardDiagnostic } from '@aws/cloudformation-validate';
import { expect } from 'chai';

// AWS's offline CloudFormation validator (schemas, cfn-lint rules, intrinsic functions),
// WebAssembly, no network. Errors fail; a warning must be explained in infra/README.md.
const readme = readFileSync('infra/README.md', 'utf8');

// The validator pairs every condition with every parameter value it knows, so each template is
// also checked with the values of a realistic deployment.
const deployments: { file: string; name: string; parameterOverrides?: Record<string, string> }[] = [
  { file: 'infra/service.yaml', name: 'with its defaults' },
  {
    file: 'infra/service.yaml',
    name: 'in a VPC, with both APIs, IAM auth, an existing alarm topic and secrets',
    parameterOverrides: {
      DeploymentId: 'acme-prod',
      PipelineId: 'main',
      ImageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-prod-service@sha256:${'a'.repeat(64)}`,
      ApiFlavour: 'both',
      AuthMode: 'iam',
      SubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
      SecurityGroupIds: 'sg-0123456789abcdef0',
      AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
      StripeSigningParameter: '/acme-prod/webhooks/stripe',
      RestAccessLogs: 'on',
    },
  },
  { file: 'infra/pipeline.yaml', name: 'with its defaults' },
  { file: 'infra/network.yaml', name: 'with its defaults' },
];

function describeDiagnostic(d: StandardDiagnostic): string {
  return `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? ''} ${d.propertyPath ?? ''} (line ${d.startLine ?? '?'}): ${d.message}`;
}

describe('infra templates under @aws/cloudformation-validate', () => {
  let engine: Engine;

  before(() => {
    engine = new RegoEngine();
  });

  after(() => {
    engine.free();
  });

  for (const { file, name, parameterOverrides } of deployments) {
    it(`passes ${file} ${name} with no errors and only explained warnings`, () => {
      const report = engine.validateStandard(new TemplateFile(file), { severityLevel: 'WARN', ...(parameterOverrides ? { parameterOverrides } : {}) });

      const errors = report.diagnostics.filter((d) => d.severity === 'ERROR' || d.severity === 'FATAL').map(describeDiagnostic);
      const unexplained = report.diagnostics.filter((d) => d.severity === 'WARN' && !readme.includes(d.ruleId)).map(describeDiagnostic);

      expect({ status: report.status, errors, unexplained }).to.deep.equal({ status: 'OK', errors: [], unexplained: [] });
    });
  }

  it('reports a broken copy of the service template (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-validate-'));
    const broken = join(dir, 'service.yaml');
    writeFileSync(broken, readFileSync('infra/service.yaml', 'utf8').replace('        maxReceiveCount: 5\n', '        maxReceiveCount: 5\n        maxReceiveCuont: 5\n'));

    try {
      const report = engine.validateStandard(new TemplateFile(broken), { severityLevel: 'ERROR' });

      expect(report.diagnostics.map((d) => [d.ruleId, d.entity?.logicalId, d.propertyPath])).to.deep.equal([
        ['F3002', 'WebhookQueue', 'Properties.RedrivePolicy.maxReceiveCuont'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
