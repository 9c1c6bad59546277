// `npm run queue -- <command>`: the queue tools (README "Queue tools").
import { runQueueCli } from './cli.ts';

process.exitCode = await runQueueCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
