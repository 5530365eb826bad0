// ESLint flat config: correctness rules (typescript-eslint, React hooks, Next.js) and the
// import direction of DESIGN.md. Formatting is Prettier's job: eslint-config-prettier comes last
// and turns off every stylistic rule the presets above it switched on.
import path from 'node:path';
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import boundaries from 'eslint-plugin-boundaries';
import prettierConfig from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Which room may import which: `lib/` ← `db/` ← `server/` ← `app/`, `cli/`; `components/` see only `lib/`.
 * tests/, bench/ and bin/ may import anything. Files at the root (Next.js's proxy.ts and instrumentation.ts,
 * the tools' configs) are in no room and are not checked: the plugin classifies folders, not single files.
 *
 * Why eslint-plugin-boundaries rather than `no-restricted-imports` per folder: it resolves each import
 * to a file before judging it (through the TypeScript resolver, so the `@/` paths of tsconfig.json
 * count), so `@/db/client` and `../../db/client` are one and the same dependency. Path patterns see
 * only the text: `../db` means the db room from `lib/x.ts` but `lib/db` from `lib/where/x.ts`, so
 * each folder depth would need its own pattern list.
 */
const EVERY_ROOM = ['lib', 'db', 'server', 'app', 'cli', 'components', 'tests', 'bench', 'bin'];
const ROOMS = {
  lib: ['lib'],
  db: ['lib', 'db'],
  server: ['lib', 'db', 'server'],
  app: ['lib', 'server', 'components', 'app'],
  cli: ['lib', 'cli', 'server'], // server/ only to start it (`tracedeck serve`); data goes over HTTP.
  components: ['lib', 'components'],
  tests: EVERY_ROOM,
  bench: EVERY_ROOM,
  bin: EVERY_ROOM,
};

const ROOM_ELEMENTS = Object.keys(ROOMS).map((room) => ({ type: room, pattern: room, partialMatch: false }));

const ROOM_POLICIES = Object.entries(ROOMS).map(([room, allowed]) => ({
  from: { element: { type: room } },
  allow: { to: { element: { types: { anyOf: allowed } } } },
}));

/** Node built-ins that do I/O or read the machine: not in pure, isomorphic code (`node:zlib`, `node:crypto` stay allowed). */
const NODE_IO_MODULES = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'tls',
  'dgram',
  'dns',
  'http',
  'https',
  'http2',
  'cluster',
  'worker_threads',
  'readline',
  'os',
  'process',
  'inspector',
];

/** Configuration is read once, in server/config.ts (and the CLI's entry); everywhere else takes it as an argument. */
const PROCESS_ENV_ALLOWED = ['server/config.ts', 'cli/main.ts', 'bin/**', 'tests/**', 'bench/**', '*.config.{js,mjs,ts}'];

// `'use client'` modules are bundled for the browser: keep database and server code (and its secrets) out of them.
// A lint rule rather than the `server-only` package, which throws when imported outside Next's react-server build
// (vitest, tsx, the CLI) and so would need an alias in every runner.
const CLIENT_MODULE = "Program:has(> ExpressionStatement[directive='use client'])";
// A relative source is read as reaching the root's server/ or db/: no other folder has those names.
const SERVER_SOURCE = '/^(@\\/|(\\.\\.?\\/)+)(server|db)(\\/|$)/';
const NO_SERVER_IN_CLIENT = [
  'error',
  ...['ImportDeclaration', 'ImportExpression', 'ExportNamedDeclaration', 'ExportAllDeclaration'].map((node) => ({
    selector: `${CLIENT_MODULE} ${node}[source.value=${SERVER_SOURCE}]`,
    message: "A 'use client' module is sent to the browser: it must not import server/ or db/. Pass the data as props or fetch it from the API.",
  })),
];

export default defineConfig(
  globalIgnores(['.next*/', '.tracedeck/', 'bench/out/', 'test-results/', 'coverage/', 'next-env.d.ts', 'db/migrations/']),

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // The code marks type-only imports (`import type`, or `type` inline); keep it so: they vanish from bundles.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // Span text and terminal output are cleaned of control characters on purpose (NUL, ANSI escapes).
      'no-control-regex': 'off',
    },
  },
  {
    // rules-of-hooks, exhaustive-deps and the React 19 checks (no setState straight in an effect, no ref read in render).
    ...reactHooks.configs.flat.recommended,
    files: ['components/**/*.{ts,tsx}', 'app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    ...nextPlugin.configs['core-web-vitals'],
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'proxy.ts', 'instrumentation.ts'],
  },

  // The import direction.
  {
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: path.join(import.meta.dirname, 'tsconfig.json') } },
      'boundaries/elements': ROOM_ELEMENTS,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'boundaries/legacy-templates': false,
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: ROOM_POLICIES }],
      'no-restricted-syntax': NO_SERVER_IN_CLIENT,
    },
  },
  {
    files: ['lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({
            name,
            message: 'lib/ is pure and isomorphic: do I/O in db/ or server/.',
          })),
        },
      ],
    },
  },
  {
    ignores: PROCESS_ENV_ALLOWED,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in server/config.ts (or the CLI entry) and pass it in.' },
      ],
    },
  },

  prettierConfig,
);
