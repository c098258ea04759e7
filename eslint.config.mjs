// Lint rules for the TypeScript sources; layout is prettier's job (.prettierrc.json), import
// cycles madge's (npm run lint:cycles), folder layering test/unit/layering.test.ts's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

const maxLinesPerFunction = builtinRules.get('max-lines-per-function');

/** Whether a function is the body of a node:test `describe(...)` (or `describe.skip(...)`, `suite(...)`). */
function isGroupBody(node) {
  const call = node.parent;
  if (call?.type !== 'CallExpression' || !call.arguments.includes(node)) return false;
  const callee = call.callee.type === 'MemberExpression' ? call.callee.object : call.callee;
  return callee.type === 'Identifier' && (callee.name === 'describe' || callee.name === 'suite');
}

/**
 * ESLint's max-lines-per-function, except for describe() bodies: a describe body is a list of
 * cases that grows with each case, never read at once; its it() callbacks and helpers are the
 * functions, and are still checked.
 */
const maxLinesPerFunctionExceptGroups = {
  meta: maxLinesPerFunction.meta,
  create(context) {
    const filtered = Object.create(context, {
      report: { value: (descriptor) => (isGroupBody(descriptor.node) ? undefined : context.report(descriptor)) },
    });
    return maxLinesPerFunction.create(filtered);
  },
};

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'proto/wire/generated/', 'bench/data/', 'bench/results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { groove: { rules: { 'max-lines-per-function': maxLinesPerFunctionExceptGroups } } },
    rules: {
      // A handler made before the value it reads exists (a server's socket callback) needs a let assigned once.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A promise nobody awaits or catches hides its failure, and an unhandled rejection ends the process.
      // node:test's describe() and it() return promises that the runner itself follows.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // These load on first use, not at import: each costs every pool process or `mr` command start-up
      // time and memory that most never need (common/logger.ts, proto/wire/grpc-lib.ts, master/journal/journal.ts, sdk/cli/progress-bars.ts).
      '@typescript-eslint/no-require-imports': [
        'error',
        {
          allow: [
            '^winston$',
            '^@grpc/grpc-js$',
            '^@grpc/proto-loader$',
            '^prom-client$',
            '^grpc-health-check$',
            '^better-sqlite3$',
            '^cli-progress$',
            '^fzstd$',
            '^csv-parse$',
          ],
        },
      ],
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // STYLE.md habits 2 and 11. A file counts every line (600 is already far past a first read);
      // a function counts its code only, so a why-comment never costs a split.
      'max-lines': ['error', { max: 600, skipBlankLines: false, skipComments: false }],
      'groove/max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // bin/mr.js is plain CommonJS run by Node.
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web UI (web/): ES modules run by the browser as they are, no build step.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly',
        location: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
  },
);
