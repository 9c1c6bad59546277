/**
 * On Node.js before 22 the AWS SDK prints, on every start, a multi-line warning that its
 * releases after the first week of January 2027 need Node.js 22. Locally that is noise: Node.js
 * 20.19 runs this service and its tests, and the Lambda functions run Node.js 22. This turns it
 * off with the SDK's own switch (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`,
 * https://github.com/aws/aws-sdk-js-v3/issues/7983), unless the user set that variable, and
 * returns the one line to log instead. Call it before the first SDK client is built.
 */
export function quietAwsSdkNodeWarning(env: Record<string, string | undefined> = process.env, version = process.version): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!(major < 22) || env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) return undefined;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return `Node.js ${version} runs the local service; the Lambda functions run Node.js 22, which AWS SDK releases after January 2027 require (use Node.js 22 to match)`;
}
