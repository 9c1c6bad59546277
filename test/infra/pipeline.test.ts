import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadTemplate, resource } from './helpers/cloudformation-yaml.ts';

// infra/pipeline.yaml and infra/buildspec.yml. CodeBuild cannot run here, so this checks what
// the build would do: its commands, their order, the variables they need, the functions they touch.
const pipeline = loadTemplate('infra/pipeline.yaml');
const service = loadTemplate('infra/service.yaml');
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

  it('runs the buildspec from the source connection, in privileged mode for docker build', () => {
    const stages = pipeline.Resources.Pipeline?.Properties?.Stages as { Actions: { ActionTypeId: { Provider: string } }[] }[];

    expect(existsSync(buildspecPath)).to.equal(true);
    expect(stages.map((stage) => stage.Actions.map((action) => action.ActionTypeId.Provider))).to.deep.equal([['CodeStarSourceConnection'], ['CodeBuild']]);
    expect((props('BuildProject').Environment as { PrivilegedMode: boolean }).PrivilegedMode).to.equal(true);
  });

  it('tests before it builds, pushes before it deploys, and deploys only after a successful build', () => {
    const order = [/^npm ci$/, /^npm test$/, /docker build /, /docker push /, /update-function-code/].map(indexOf);

    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(buildspec.phases.post_build?.commands?.[0]).to.contain('CODEBUILD_BUILD_SUCCEEDING');
  });

  it('builds a single-platform image without attestations, which Lambda accepts', () => {
    expect(commands[indexOf(/docker build /)]).to.match(/--provenance=false/).and.match(/--platform linux\/amd64/);
  });

  it('runs only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: object }).scripts);
    const used = commands.flatMap((command) => [...command.matchAll(/\bnpm (?:run )?(\w[\w:-]*)/g)].map((m) => m[1])).filter((name) => name !== 'ci');

    expect(used.filter((name) => !scripts.includes(name ?? ''))).to.deep.equal([]);
  });

  it('defines every variable the buildspec reads that CodeBuild does not set', () => {
    const defined = (props('BuildProject').Environment as { EnvironmentVariables: { Name: string }[] }).EnvironmentVariables.map((v) => v.Name);
    const assigned = commands.flatMap((command) => [...command.matchAll(/\b([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]));
    const read = new Set(commands.flatMap((command) => [...command.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? '')));

    const missing = [...read].filter((name) => !name.startsWith('CODEBUILD_') && name !== 'AWS_REGION' && !assigned.includes(name) && !defined.includes(name));

    expect(missing).to.deep.equal([]);
  });

  it('updates exactly the two functions of the service stack, and may update nothing else', () => {
    const variables = Object.fromEntries(
      (props('BuildProject').Environment as { EnvironmentVariables: { Name: string; Value: unknown }[] }).EnvironmentVariables.map((v) => [v.Name, v.Value]),
    );
    const functionName = (logicalId: string) => service.Resources[logicalId]?.Properties?.FunctionName;
    const role = resource(pipeline, 'BuildRole').Properties?.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[];
    const lambdaResources = role.flatMap((p) => p.PolicyDocument.Statement).filter((s) => [s.Action].flat().includes('lambda:UpdateFunctionCode'));

    expect([variables.HTTP_FUNCTION_NAME, variables.WORKER_FUNCTION_NAME]).to.deep.equal([functionName('HttpFunction'), functionName('WorkerFunction')]);
    expect(lambdaResources.map((s) => (s.Resource as { 'Fn::Sub': string }[]).map((r) => r['Fn::Sub'].split(':function:')[1]))).to.deep.equal([
      ['${DeploymentId}-http', '${DeploymentId}-worker'],
    ]);
  });
});
