import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';
import { expect } from 'chai';
import { renderServiceTemplate } from '../../scripts/render-service-template.ts';
import { loadTemplate, resourcesOfType } from '../infra/helpers/cloudformation-yaml.ts';
import { danglingReferences } from '../infra/helpers/render-template.ts';

const text = readFileSync('infra/service.yaml', 'utf8');

describe('renderServiceTemplate', () => {
  it('renames the REST deployment after the template, the stage following it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    const file = join(dir, 'service.yaml');
    writeFileSync(file, renderServiceTemplate(text));

    try {
      const rendered = loadTemplate(file);
      const [id] = Object.keys(resourcesOfType(rendered, 'AWS::ApiGateway::Deployment'));

      expect(id).to.match(/^RestDeployment[0-9a-f]{12}$/);
      expect(rendered.Resources.RestStage?.Properties?.DeploymentId).to.deep.equal({ Ref: id });
      expect(danglingReferences(rendered)).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a changed template a new deployment id, and the same template the same one', () => {
    const id = (t: string) => /RestDeployment[0-9a-f]{12}/.exec(renderServiceTemplate(t))?.[0];
    const changedTemplate = text.replace("application/json: '{\"error\":{\"code\":\"content_type_not_mapped\"", "application/json: '{\"error\":{\"code\":\"content_type_unmapped\"");

    expect(changedTemplate).to.not.equal(text);
    expect(id(text)).to.equal(id(text));
    expect(id(changedTemplate)).to.not.equal(id(text));
  });

  it('produces a template the validator passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    const file = join(dir, 'service.yaml');
    writeFileSync(file, renderServiceTemplate(text));
    const engine = new RegoEngine();

    try {
      const report = engine.validateStandard(new TemplateFile(file), { severityLevel: 'ERROR' });

      expect(report.diagnostics.map((d) => `${d.ruleId} ${d.message}`)).to.deep.equal([]);
    } finally {
      engine.free();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
