import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegoEngine, TemplateFile, type Engine } from '@aws/cloudformation-validate';
import { expect } from 'chai';
import { ensureBuilt } from '../helpers/build.ts';
import { deployments, renderDeployment, type RenderedDeployment } from './helpers/deployments.ts';
import { httpApiMappingsCannotFailASend, httpApiResponseParameterMaps, restIntegrationsAsStored } from './rules/api-gateway.ts';
import { gatewayMaySendToItsQueue, grantsWhatTheCodeCalls } from './rules/iam.ts';
import { noDanglingReferences, retainExceptOnCreate } from './rules/lifecycle.ts';
import { reachesEveryCallFromTheVpc } from './rules/network.ts';
import type { Rule } from './rules/rule.ts';

// Every template in every configuration it supports (helpers/deployments.ts), as CloudFormation
// would create it: AWS's offline validator on the rendered template, then the rules it cannot
// check, each written from the AWS documentation it cites (rules/).
const rules: Rule[] = [
  httpApiResponseParameterMaps,
  httpApiMappingsCannotFailASend,
  restIntegrationsAsStored,
  retainExceptOnCreate,
  noDanglingReferences,
  grantsWhatTheCodeCalls,
  gatewayMaySendToItsQueue,
  reachesEveryCallFromTheVpc,
];

describe('deploy readiness', () => {
  let rendered: RenderedDeployment[] = [];

  before(() => {
    ensureBuilt(['dist/meta.json']);
    rendered = deployments.map(renderDeployment);
  });

  describe('@aws/cloudformation-validate on each configuration', () => {
    let engine: Engine;
    let dir: string;

    before(() => {
      engine = new RegoEngine();
      dir = mkdtempSync(join(tmpdir(), 'deploy-readiness-'));
    });

    after(() => {
      engine.free();
      rmSync(dir, { recursive: true, force: true });
    });

    // The validator pairs every condition with every parameter value; on the rendered template
    // (conditions evaluated) it checks exactly what this configuration deploys.
    deployments.forEach(({ file: template, name }, index) => {
      it(`reports no errors for ${template} with ${name || 'its defaults'}`, () => {
        const deployment = rendered[index] as RenderedDeployment;
        const file = join(dir, `${index}.json`);
        writeFileSync(file, JSON.stringify(deployment.template));

        const report = engine.validateStandard(new TemplateFile(file), { severityLevel: 'ERROR', parameterOverrides: deployment.parameters });

        expect(report.diagnostics.map((d) => `${d.ruleId} ${d.entity?.logicalId ?? ''} ${d.propertyPath ?? ''}: ${d.message}`)).to.deep.equal([]);
      });
    });
  });

  for (const rule of rules) {
    it(`${rule.title} in every configuration (${rule.source})`, () => {
      const problems = Object.fromEntries(
        rendered.flatMap((deployment) => {
          const found = rule.check(deployment);
          return found.length > 0 ? [[`${deployment.file} with ${deployment.name || 'its defaults'}`, found]] : [];
        }),
      );

      expect(problems).to.deep.equal({});
    });
  }
});
