import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { EnvReader, type Env } from '../shared/env.ts';
import { loadLocalConfig } from '../services/local/local-config.ts';
import { loadServerConfig } from '../services/server/server-config.ts';

// The README's tables of scripts and environment variables, checked against what the code reads,
// so that a new variable, a changed default or range, or a new script cannot go undocumented.
const readme = readFileSync('README.md', 'utf8');

interface IntegerSetting {
  name: string;
  fallback: number;
  min: number;
  max: number;
}

/** Every variable an entry point's config reads, and each integer's default and range, from the one reader. */
async function settingsRead(load: (env: Env) => Promise<unknown>): Promise<{ names: Set<string>; integers: IntegerSetting[] }> {
  const names = new Set<string>();
  const env = new Proxy({}, { get: (_target, name) => (typeof name === 'string' && names.add(name), undefined) });
  const integers: IntegerSetting[] = [];
  const integer = Object.getOwnPropertyDescriptor(EnvReader.prototype, 'integer')?.value as EnvReader['integer'];
  EnvReader.prototype.integer = function (this: EnvReader, name, fallback, min, max) {
    integers.push({ name, fallback, min, max });
    return integer.call(this, name, fallback, min, max);
  };
  try {
    await load(env);
  } finally {
    EnvReader.prototype.integer = integer;
  }
  return { names, integers };
}

/** The README's table rows whose first cell names the variable. */
function rowsNaming(text: string, name: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
    .filter((cells) => (cells[0] ?? '').includes(`\`${name}\``));
}

/** The sentences that follow each mention of the variable outside the tables. */
function proseAbout(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`\`${name}\``, 'g'))].map((match) => text.slice(match.index, match.index + 300));
}

/** How a number may be written: as is, grouped by commas, or in whole MiB or GiB. */
function spellings(value: number): string[] {
  const spelled = [String(value), value.toLocaleString('en-US')];
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2]] as const) {
    if (value >= size && value % size === 0) spelled.push(`${value / size} ${unit}`);
  }
  return spelled;
}

const mentions = (text: string, value: number) => spellings(value).some((spelled) => new RegExp(`(?<!\\d|\\d[,.])${spelled.replace('.', '\\.')}(?!\\d|,\\d)`).test(text));

/** The problems a README has with these settings: unnamed variables, a default or a range it does not state. */
function undocumented(text: string, settings: { names: Set<string>; integers: IntegerSetting[] }): string[] {
  const problems = [...settings.names].filter((name) => !text.includes(`\`${name}\``)).map((name) => `${name} is not named`);
  for (const { name, fallback, min, max } of settings.integers) {
    const rows = rowsNaming(text, name);
    const places = rows.length > 0 ? rows.map((cells) => ({ fallback: cells[1] ?? '', range: cells.join(' ') })) : proseAbout(text, name).map((prose) => ({ fallback: prose, range: prose }));
    if (!places.some((place) => mentions(place.fallback, fallback))) problems.push(`${name}: default ${fallback} not stated`);
    // A port's range is every port; any other range is part of what a variable means.
    const isPort = min === 0 && max === 65535;
    if (!isPort && !places.some((place) => mentions(place.range, min) && mentions(place.range, max))) problems.push(`${name}: range ${min}–${max} not stated`);
  }
  return problems;
}

describe('README.md', () => {
  it('names every variable npm start and the container read, with each integer default and range', async () => {
    const local = await settingsRead((env) => loadLocalConfig(env));
    const server = await settingsRead((env) => loadServerConfig(env));
    expect(local.names).to.include.keys('PORT', 'LOCAL_MODE', 'SSM_TIMEOUT_MS');
    expect(server.integers.map((setting) => setting.name)).to.include('BODY_BYTES_IN_FLIGHT');
    expect(undocumented(readme, local)).to.deep.equal([]);
    expect(undocumented(readme, server)).to.deep.equal([]);
  });

  it('finds a variable it does not name, a wrong default and a missing range', async () => {
    const server = await settingsRead((env) => loadServerConfig(env));
    const drifted = readme
      .replace(/`QUEUE_CONCURRENCY` \| `4`/, '`QUEUE_CONCURRENCY` | `8`')
      .replace(/\(1–50\)/, '')
      .replaceAll('`TRUST_PROXY`', 'TRUST_PROXY');
    expect(undocumented(drifted, server)).to.have.members([
      'TRUST_PROXY is not named',
      'QUEUE_CONCURRENCY: default 4 not stated',
      'QUEUE_CONCURRENCY: range 1–50 not stated',
    ]);
  });

  it('lists every npm script in its scripts table', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
    const table = /## Scripts\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const listed = scripts.filter((script) => new RegExp(`\`npm ${script === 'start' || script === 'test' ? '' : 'run '}${script}[\` ]`).test(table));
    expect(scripts.length).to.be.greaterThan(5);
    expect(listed).to.deep.equal(scripts);
  });

  it('and infra/README.md name only files and folders the repository has', () => {
    const named = [readme, readFileSync('infra/README.md', 'utf8')].flatMap((text) =>
      [...text.matchAll(/`((?:test|shared|services|bench|scripts|infra|factories|docs)\/[\w./-]+)`/g)].map((match) => match[1]!),
    );
    expect(named.length).to.be.greaterThan(30);
    expect(named.filter((path) => !existsSync(path))).to.deep.equal([]);
  });
});
