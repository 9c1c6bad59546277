import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { runQueueCli } from '../../../../services/local/queue-tools/cli.ts';
import { listen, makeRecordingListener } from '../../../helpers/queue.ts';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runQueueCli(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const commands = ['stats', 'peek', 'replay', 'redrive', 'send'];

describe('runQueueCli', () => {
  it('lists the commands on --help, exit code 0', async () => {
    const { code, stdout } = await run(['--help']);

    expect(code).to.equal(0);
    expect(stdout.split('\n').filter((line) => /^ {2}\w+ +\S/.test(line)).map((line) => line.trim().split(' ')[0])).to.deep.equal(commands);
  });

  it('prints the overview on stderr with exit code 2 when no command is given', async () => {
    const { code, stdout, stderr } = await run([]);

    expect([code, stdout, stderr.startsWith('Usage: npm run queue -- <command> [options]\n')]).to.deep.equal([2, '', true]);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const { code, stderr } = await run(['purge']);

    expect([code, stderr]).to.deep.equal([2, 'Unknown command "purge". Commands: stats, peek, replay, redrive, send.\nRun `npm run queue -- --help` for help.\n']);
  });

  for (const name of commands) {
    it(`prints the usage of ${name} on --help, exit code 0`, async () => {
      const { code, stdout } = await run([name, '--help']);

      expect([code, stdout.split('\n')[0]!.startsWith(`Usage: npm run queue -- ${name}`)]).to.deep.equal([0, true]);
    });
  }

  it('rejects an unknown option with exit code 2', async () => {
    const { code, stderr } = await run(['stats', '--verbose']);

    // The wording after the option name is node:util's and varies between Node versions.
    expect([code, stderr.startsWith("stats: Unknown option '--verbose'"), stderr.endsWith('\nRun `npm run queue -- stats --help` for its options.\n')]).to.deep.equal([2, true, true]);
  });

  it('rejects a bad --max with exit code 2', async () => {
    const { code, stderr } = await run(['peek', '--max', 'ten']);

    expect([code, stderr]).to.deep.equal([2, 'peek: --max must be a whole number from 1 to 1000000 (got "ten")\nRun `npm run queue -- peek --help` for its options.\n']);
  });

  it('exits 1 saying how to start the queue when none is running', async () => {
    const closed = await listen(makeRecordingListener().listener);
    const port = new URL(closed.url).port;
    await closed.close();

    const { code, stderr } = await run(['stats'], { LOCAL_QUEUE_PORT: port });

    expect([code, stderr]).to.deep.equal([1, `stats failed: No local queue at http://127.0.0.1:${port}: start it with \`npm start\`, or set QUEUE_URL to use a real queue\n`]);
  });

  it('exits 1 naming every configuration problem', async () => {
    const { code, stderr } = await run(['stats'], { QUEUE_URL: 'not a url', LOCAL_QUEUE_PORT: '99999' });

    expect([code, stderr]).to.deep.equal([1, [
      'stats failed: Invalid configuration:',
      '- LOCAL_QUEUE_PORT must be an integer from 0 to 65535 (got "99999")',
      '- QUEUE_URL must be the URL of a FIFO queue, ending in .fifo (got "not a url")',
      '',
    ].join('\n')]);
  });

  it('sets the process exit code through `npm run queue`', async function () {
    this.timeout(20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/local/queue-tools/queue.ts', 'peek', '--max', 'x'], { stdio: ['ignore', 'ignore', 'ignore'] });

    const [code] = (await once(child, 'close')) as [number];

    expect(code).to.equal(2);
  });
});
