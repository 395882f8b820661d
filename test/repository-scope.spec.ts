import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const SRC = join(__dirname, '..', 'src');

/** Repositories of data that belongs to a user: each must take the owner scope on every method. */
const OWNED_DATA_REPOSITORIES = [
  'conversations/conversations.repository.ts',
  'instagram-accounts/instagram-accounts.repository.ts',
  'messages/messages.repository.ts',
];

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return repositoryFiles(path);
    return name.endsWith('.repository.ts') ? [path] : [];
  });
}

interface RepositoryClass {
  file: string;
  name: string;
  extendsOwned: boolean;
  /** Public methods whose first parameter is not typed `OwnerScope`. */
  unscoped: string[];
}

function classesOf(file: string): RepositoryClass[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: RepositoryClass[] = [];
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    const extendsOwned = (statement.heritageClauses ?? []).some((clause) =>
      clause.types.some((type) => type.expression.getText(source) === 'OwnedDataRepository'),
    );
    const unscoped = statement.members
      .filter(ts.isMethodDeclaration)
      .filter((method) => {
        const modifiers = ts.getModifiers(method) ?? [];
        return !modifiers.some(
          (m) =>
            m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword,
        );
      })
      .filter((method) => method.parameters[0]?.type?.getText(source) !== 'OwnerScope')
      .map((method) => method.name.getText(source));
    found.push({ file: relative(SRC, file), name: statement.name.text, extendsOwned, unscoped });
  }
  return found;
}

describe('owner scope on repositories of owned data', () => {
  const classes = repositoryFiles(SRC).flatMap(classesOf);

  it.each(OWNED_DATA_REPOSITORIES)('%s extends OwnedDataRepository', (file) => {
    const owned = classes.filter((c) => c.file === file);
    expect(owned.length).toBeGreaterThan(0);
    expect(owned.filter((c) => !c.extendsOwned).map((c) => c.name)).toEqual([]);
  });

  it('gives every public method of an owned-data repository an OwnerScope first argument', () => {
    const offenders = classes
      .filter((c) => c.extendsOwned)
      .flatMap((c) => c.unscoped.map((method) => `${c.file}: ${c.name}.${method}`));
    expect(offenders).toEqual([]);
  });

  it('finds a method that forgets the scope', () => {
    const probe = join(__dirname, 'fixtures', 'probe.repository.ts');
    const [probeClass] = classesOf(probe);
    expect(probeClass.extendsOwned).toBe(true);
    expect(probeClass.unscoped).toEqual(['findAnywhere']);
  });
});
