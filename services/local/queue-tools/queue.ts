// `npm run queue -- <command>`: the queue tools (README "Queue tools").
import { quietAwsSdkNodeWarning } from '../node-version.ts';
import { runQueueCli } from './cli.ts';

// Results and progress stay the tools' own lines; `npm start` says which Node.js to use.
quietAwsSdkNodeWarning();
process.exitCode = await runQueueCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
