// `npm run infra:template [-- <output>]`: infra/service.yaml as it is deployed, with the REST API
// deployment's logical id carrying a hash of the template (RestDeployment → RestDeployment<hash>).
// An AWS::ApiGateway::Deployment is a snapshot that CloudFormation never refreshes by itself:
// only a new logical id makes it create a new deployment, point the stage at it and delete the
// old one, the pattern SAM applies to its generated deployments. A changed template, a changed
// id: every method, mapping and gateway response change reaches the stage, with nobody renaming
// anything. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-deployment.html
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The template text with `RestDeployment` renamed after the hash of the whole text. */
export function renderServiceTemplate(text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return text.replace(/\bRestDeployment\b/g, `RestDeployment${hash}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const output = process.argv[2] ?? 'dist/infra/service.yaml';
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, renderServiceTemplate(readFileSync('infra/service.yaml', 'utf8')));
  console.log(`wrote ${output}`);
}
