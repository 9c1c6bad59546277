import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { renderServiceTemplate } from '../../scripts/render-service-template.ts';
import { loadTemplate, type Template } from './helpers/cloudformation-yaml.ts';

// The deploy commands of infra/README.md, read as a first-time operator would run them, checked
// against the templates they deploy: parameter names and values, required parameters,
// capabilities, and --s3-bucket where the template is too large to send inline.
const readme = readFileSync('infra/README.md', 'utf8');

/** Every shell command in the fenced `sh` blocks, continuation lines joined. */
function shellCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')));
}

/** Shell words: quotes removed, `$(...)` kept whole. */
function words(command: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '$' && command[i + 1] === '(') {
      depth++;
      current += c;
    } else if (c === ')' && depth > 0) {
      depth--;
      current += c;
    } else if ((c === '"' || c === "'") && depth === 0) {
      quote = c;
    } else if (c === ' ' && depth === 0) {
      if (current !== '') out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

/** Values of `--name` (every word up to the next option). */
function option(args: string[], name: string): string[] | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const end = args.findIndex((arg, index) => index > at && arg.startsWith('--'));
  return args.slice(at + 1, end < 0 ? undefined : end);
}

// What `--template-file` names: the rendered service template is what npm run infra:template writes.
function templateText(file: string): string {
  if (file === 'dist/infra/service.yaml') return renderServiceTemplate(readFileSync('infra/service.yaml', 'utf8'));
  return readFileSync(file, 'utf8');
}

const stackTemplates: Record<string, string> = { 'acme-service': 'infra/service.yaml', 'acme-pipeline': 'infra/pipeline.yaml', 'acme-network': 'infra/network.yaml', 'acme-container': 'infra/container.yaml' };

// A value written for the reader to replace, or read from the shell, cannot be checked.
const placeholder = /\$|<|\.\.\./;

function parameterProblems(template: Template, overrides: string[]): string[] {
  const parameters = template.Parameters ?? {};
  const given = Object.fromEntries(overrides.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const definition = parameters[name];
    if (!definition) {
      problems.push(`${name} is not a parameter`);
      continue;
    }
    if (placeholder.test(value)) continue;
    const items = String(definition.Type).startsWith('CommaDelimitedList') ? value.split(',') : [value];
    const pattern = typeof definition.AllowedPattern === 'string' ? new RegExp(definition.AllowedPattern) : undefined;
    if (pattern && !items.every((item) => pattern.test(item))) problems.push(`${name}=${value} does not match ${String(definition.AllowedPattern)}`);
    const allowed = (definition.AllowedValues as unknown[] | undefined)?.map(String);
    if (allowed && !allowed.includes(value)) problems.push(`${name}=${value} is not one of ${allowed.join(', ')}`);
  }
  for (const [name, definition] of Object.entries(parameters)) if (definition.Default === undefined && !(name in given)) problems.push(`${name} is required`);
  return problems;
}

function capabilityProblems(template: Template, capabilities: string[]): string[] {
  const resources = Object.values(template.Resources);
  const iam = resources.some((r) => r.Type.startsWith('AWS::IAM::'));
  const named = resources.some((r) => r.Properties?.RoleName !== undefined || r.Properties?.ManagedPolicyName !== undefined);
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html (Capabilities)
  if (named && !capabilities.includes('CAPABILITY_NAMED_IAM')) return ['needs --capabilities CAPABILITY_NAMED_IAM'];
  if (iam && !capabilities.includes('CAPABILITY_IAM') && !capabilities.includes('CAPABILITY_NAMED_IAM')) return ['needs --capabilities CAPABILITY_IAM'];
  return [];
}

describe('infra/README.md deploy commands', () => {
  const commands = shellCommands(readme).map(words);
  const deploys = commands.filter((args) => args[0] === 'aws' && args[1] === 'cloudformation' && args[2] === 'deploy');

  it('deploys the network, the pipeline, the service without the pipeline and the container service', () => {
    expect(deploys.map((args) => option(args, '--template-file')?.[0])).to.deep.equal(['infra/network.yaml', 'infra/pipeline.yaml', 'dist/infra/service.yaml', 'infra/container.yaml']);
  });

  for (const args of deploys) {
    const file = option(args, '--template-file')?.[0] ?? '';
    it(`deploys ${file} with parameters, capabilities and an upload bucket it takes`, () => {
      const text = templateText(file);
      const template = loadTemplate(file === 'dist/infra/service.yaml' ? 'infra/service.yaml' : file);

      const problems = [
        ...parameterProblems(template, option(args, '--parameter-overrides') ?? []),
        ...capabilityProblems(template, option(args, '--capabilities') ?? []),
        // The AWS CLI sends a template inline only up to 51,200 bytes; past that it must upload it.
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
        ...(Buffer.byteLength(text) > 51_200 && !option(args, '--s3-bucket') ? [`${Buffer.byteLength(text)} bytes need --s3-bucket`] : []),
      ];

      expect(problems).to.deep.equal([]);
    });
  }

  it('updates the service stack with the capabilities it needs', () => {
    const updates = commands.filter((args) => args.slice(0, 3).join(' ') === 'aws cloudformation update-stack');

    expect(updates).to.have.length.above(0);
    expect(updates.flatMap((args) => capabilityProblems(loadTemplate(stackTemplates[option(args, '--stack-name')?.[0] ?? ''] ?? ''), option(args, '--capabilities') ?? []))).to.deep.equal([]);
  });

  it('reads only stack outputs the templates have', () => {
    // describe-stacks calls, also inside $(...): each OutputKey its query names, per stack.
    const reads = shellCommands(readme).flatMap((command) =>
      [...command.matchAll(/describe-stacks --stack-name ([\w-]+)\s+--query "([^"]*)"/g)].flatMap((call) =>
        [...(call[2] ?? '').matchAll(/OutputKey=='(\w+)'/g)].map((match) => ({ stack: call[1], key: match[1] ?? '' })),
      ),
    );
    const missing = reads.filter(({ stack, key }) => !(key in (loadTemplate(stackTemplates[stack ?? ''] ?? '').Outputs ?? {})));

    expect(reads.length).to.be.above(3);
    expect(missing).to.deep.equal([]);
  });

  it('is where the main README sends operators', () => {
    expect(readFileSync('README.md', 'utf8')).to.match(/\[infra\/README\.md\]\(infra\/README\.md\)/);
  });
});

describe('the deploy-docs checks', () => {
  it('find a missing parameter, a value the template refuses, a missing capability and a missing bucket', () => {
    const service = loadTemplate('infra/service.yaml');

    expect(parameterProblems(service, ['DeploymentId=Acme', 'PipelineId=main', 'Colour=blue'])).to.deep.equal([
      'DeploymentId=Acme does not match ^[a-z][a-z0-9-]{1,19}$',
      'Colour is not a parameter',
      'ImageUri is required',
      'SubnetIds is required',
      'SecurityGroupIds is required',
    ]);
    expect(capabilityProblems(service, [])).to.deep.equal(['needs --capabilities CAPABILITY_IAM']);
    expect(Buffer.byteLength(templateText('dist/infra/service.yaml'))).to.be.above(51_200);
  });
});
