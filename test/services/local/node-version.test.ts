import { expect } from 'chai';
import { quietAwsSdkNodeWarning } from '../../../services/local/node-version.ts';

describe('quietAwsSdkNodeWarning', () => {
  it("turns the AWS SDK's warning off on Node.js 20 and returns one line saying which Node.js to use", () => {
    const env: Record<string, string | undefined> = {};

    const note = quietAwsSdkNodeWarning(env, 'v20.19.0');

    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).to.equal('true');
    expect(note).to.match(/^Node\.js v20\.19\.0 runs the local service; the Lambda functions run Node\.js 22/);
  });

  it('leaves Node.js 22 and a setting of the user as they are', () => {
    const node22: Record<string, string | undefined> = {};
    const chosen: Record<string, string | undefined> = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };

    expect([quietAwsSdkNodeWarning(node22, 'v22.11.0'), quietAwsSdkNodeWarning(chosen, 'v20.19.0')]).to.deep.equal([undefined, undefined]);
    expect([node22, chosen]).to.deep.equal([{}, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }]);
  });
});
