import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const folders = ['shared', 'services', 'factories', 'scripts', 'bench', 'test'];

/** Every TypeScript file of the project, as a path relative to the root. */
function sourceFiles(): string[] {
  return folders.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(folder, file)),
  );
}

/** The project files a file imports, type-only imports and re-exports included, as the compiler reads them. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(root, resolve(root, dirname(file), name)));
}

/** The names a file exports, and the names other files import from each file (`*` for a namespace import). */
function exportsAndImports(files: readonly string[]): { exported: Map<string, string[]>; imported: Map<string, Set<string>> } {
  const exported = new Map<string, string[]>();
  const imported = new Map<string, Set<string>>();
  const use = (target: string, name: string) => imported.set(target, (imported.get(target) ?? new Set()).add(name));
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
    const names: string[] = [];
    for (const statement of source.statements) {
      const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
      const isExported = modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      if (isExported && ts.isVariableStatement(statement)) {
        names.push(...statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : [])));
      } else if (isExported && 'name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
        names.push((statement.name as ts.Identifier).text);
      }
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      const from = statement.moduleSpecifier;
      if (from === undefined || !ts.isStringLiteral(from) || !from.text.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file), from.text));
      const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : statement.exportClause;
      if (bindings === undefined || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings)) use(target, '*');
      else for (const element of bindings.elements) use(target, (element.propertyName ?? element.name).text);
    }
    exported.set(file, names);
  }
  return { exported, imported };
}

/** Each import cycle once, as the chain of files that closes it. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const start = path.indexOf(file);
    if (start >= 0) {
      cycles.push([...path.slice(start), file]);
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));
const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));
const under = (folder: string) => (file: string) => file.startsWith(folder + '/');

describe('the import graph', () => {
  it('reads the import statements of the project', () => {
    expect(graph.get('services/worker/handler.ts')).to.include('services/worker/worker.ts');
    expect(graph.get('shared/queue-message/decode.ts')).to.include('shared/queue-message/replay-request.ts');
  });

  it('finds a cycle, type-only imports included', () => {
    const sample = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);

    expect(findCycles(sample)).to.deep.equal([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph)).to.deep.equal([]);
  });

  it('keeps shared/ below the services, the benchmarks and the tests', () => {
    const upward = edges.filter(({ from, to }) => under('shared')(from) && !under('shared')(to) && to !== 'package.json');

    expect(upward).to.deep.equal([]);
  });

  it('keeps the Lambda functions independent of the local service, the benchmarks and the tests', () => {
    const lambda = (file: string) => under('services/http')(file) || under('services/worker')(file);
    const outward = edges.filter(({ from, to }) => lambda(from) && !lambda(to) && !under('shared')(to));

    expect(outward).to.deep.equal([]);
  });

  it('lets services/ import nothing from the factories, the benchmarks or the tests', () => {
    const wrong = edges.filter(({ from, to }) => under('services')(from) && (under('factories')(to) || under('bench')(to) || under('test')(to)));

    expect(wrong).to.deep.equal([]);
  });

  it('lets nothing but the tests import from test/: the benchmarks share factories/ with them', () => {
    const wrong = edges.filter(({ from, to }) => !under('test')(from) && under('test')(to));

    expect(wrong).to.deep.equal([]);
  });

  it('exports from the source, the factories and the benchmarks only what another file imports', () => {
    const { exported, imported } = exportsAndImports([...graph.keys()]);
    // Lambda handlers, and the benchmark's floor handlers, are imported by the runtime.
    const entries = new Set(['services/http/handler.ts', 'services/worker/handler.ts', 'bench/floor/http-floor.ts', 'bench/floor/worker-floor.ts']);

    const unused = [...exported].filter(([file]) => !under('test')(file)).flatMap(([file, names]) => {
      const used = imported.get(file) ?? new Set();
      return entries.has(file) || used.has('*') ? [] : names.filter((name) => !used.has(name)).map((name) => `${file}: ${name}`);
    });

    expect(unused).to.deep.equal([]);
  });

  it('lets the local service reach the worker only through its entry modules', () => {
    const entries = ['services/worker/worker.ts', 'services/worker/metrics.ts'];
    const internal = edges.filter(({ from, to }) => under('services/local')(from) && under('services/worker')(to) && !entries.includes(to));

    expect(internal).to.deep.equal([]);
  });
});
