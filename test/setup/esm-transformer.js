// Some dependencies (all of NestJS 12, glob, ...) are published as ES modules only. Node loads
// them from CommonJS through require(esm), but jest 29's module runtime cannot, so inside test
// workers every file of an ES-module package is compiled to CommonJS here; CommonJS files pass
// through untouched. The global setup/teardown run outside the workers and load them natively.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const ts = require('typescript');

const inTestWorker = () => process.env.JEST_WORKER_ID !== undefined;

const packageTypeByDir = new Map();
function isEsModule(filename) {
  if (filename.endsWith('.mjs')) return true;
  if (filename.endsWith('.cjs')) return false;
  const visited = [];
  let dir = dirname(filename);
  while (true) {
    if (packageTypeByDir.has(dir)) break;
    visited.push(dir);
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { type } = JSON.parse(readFileSync(manifest, 'utf8'));
      // Nested package.json files without "name" may only carry "type".
      packageTypeByDir.set(dir, type === 'module');
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      packageTypeByDir.set(dir, false);
      break;
    }
    dir = parent;
  }
  const esm = packageTypeByDir.get(dir);
  for (const v of visited) packageTypeByDir.set(v, esm);
  return esm;
}

function compile(source, filename) {
  // CommonJS already has `require`; an ESM `const require = createRequire(import.meta.url)`
  // would redeclare it.
  const code = source
    .replace(/\b(?:const|let)\s+require\s*=/g, 'require =')
    .replace(/\bimport\.meta\b/g, '__importMeta');
  const output = ts.transpileModule(code, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      allowJs: true,
      esModuleInterop: true,
    },
  });
  const prelude = code.includes('__importMeta')
    ? "var __importMeta = { url: require('node:url').pathToFileURL(__filename).href, dirname: __dirname, filename: __filename, resolve: (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href };\n"
    : '';
  return prelude + output.outputText;
}

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update(`esm-to-cjs-v4\0${inTestWorker()}\0${ts.version}\0${filename}\0${source}`)
      .digest('hex');
  },
  process(source, filename) {
    if (!inTestWorker() || !isEsModule(filename)) return { code: source };
    return { code: compile(source, filename) };
  },
};
