/**
 * The import direction of DESIGN.md (`lib/` ← `db/` ← `server/` ← `app/`, `cli/`; `components/` see only `lib/`),
 * checked through the real eslint.config.mjs on small snippets placed in each room.
 * Every imported file must exist: an import the resolver cannot follow is not judged, so a moved target would
 * otherwise make an "allowed" case pass for the wrong reason.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TARGETS = ['db/client.ts', 'server/config.ts', 'lib/where/parser.ts', 'app/page.tsx', 'cli/main.ts', 'tests/support/databases.ts'];

let eslint: ESLint;
beforeAll(() => {
  for (const target of TARGETS) expect(existsSync(path.join(ROOT, target)), `${target} must exist for these cases`).toBe(true);
  eslint = new ESLint({ cwd: ROOT });
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  expect(result.messages.filter((message) => message.fatal)).toEqual([]);
  return result.messages;
}

/** A module that imports `source` and uses the binding, so no other rule has anything to say. */
const importing = (source: string) => `import * as imported from '${source}';\n\nexport const used = imported;\n`;

async function expectBoundaryError(filePath: string, source: string, from: string, to: string) {
  const messages = await lint(filePath, importing(source));
  expect(messages.map((message) => message.ruleId)).toEqual(['boundaries/dependencies']);
  expect(messages[0].message).toContain(`from elements of type "${from}" to elements of type "${to}"`);
}

async function expectClean(filePath: string, code: string) {
  expect(await lint(filePath, code)).toEqual([]);
}

describe('uphill imports fail, written with @/ or as a relative path', () => {
  it.each([
    ['lib/where/x.ts', '../../db/client', 'lib', 'db'],
    ['lib/where/x.ts', '@/db/client', 'lib', 'db'],
    ['lib/x.ts', '../server/config', 'lib', 'server'],
    ['lib/x.ts', '@/app/page', 'lib', 'app'],
    ['db/queries/x.ts', '../../server/config', 'db', 'server'],
    ['db/x.ts', '@/server/config', 'db', 'server'],
    ['server/http/x.ts', '../../app/page', 'server', 'app'],
    ['server/x.ts', '@/cli/main', 'server', 'cli'],
    ['components/trace/x.tsx', '@/server/config', 'components', 'server'],
    ['components/trace/x.tsx', '../../server/config', 'components', 'server'],
    ['components/x.tsx', '@/db/client', 'components', 'db'],
    ['components/trace/x.tsx', '../../app/page', 'components', 'app'],
    ['cli/trace/x.ts', '../../db/client', 'cli', 'db'],
    ['cli/x.ts', '@/app/page', 'cli', 'app'],
    ['app/api/x/route.ts', '@/db/client', 'app', 'db'],
    ['app/x/page.tsx', '@/cli/main', 'app', 'cli'],
    ['lib/x.ts', '@/tests/support/databases', 'lib', 'tests'],
  ])('%s importing %s', async (filePath, source, from, to) => {
    await expectBoundaryError(filePath, source, from, to);
  });

  it('re-exports and dynamic imports count as imports', async () => {
    const reexport = await lint('lib/where/x.ts', "export { getDb } from '../../db/client';\n");
    expect(reexport.map((message) => message.ruleId)).toEqual(['boundaries/dependencies']);
    const dynamic = await lint('components/x.ts', "export const load = () => import('@/server/config');\n");
    expect(dynamic.map((message) => message.ruleId)).toEqual(['boundaries/dependencies']);
  });

  it('type-only imports count too', async () => {
    const messages = await lint('lib/x.ts', "import type { Db } from '@/db/client';\n\nexport type Used = Db;\n");
    expect(messages.map((message) => message.ruleId)).toEqual(['boundaries/dependencies']);
  });
});

describe('imports along the direction pass', () => {
  it.each([
    ['lib/where/x.ts', './parser'],
    ['lib/x.ts', '@/lib/where/parser'],
    ['db/queries/x.ts', '../../lib/where/parser'],
    ['db/queries/x.ts', '../client'],
    ['server/x.ts', '@/db/client'],
    ['server/ingest/x.ts', '../../lib/where/parser'],
    ['app/api/x/route.ts', '@/server/config'],
    ['app/x/page.tsx', '../../lib/where/parser'],
    ['cli/x.ts', '@/server/config'],
    ['cli/trace/x.ts', '../../lib/where/parser'],
    ['components/trace/x.tsx', '../../lib/where/parser'],
    ['tests/unit/x.test.ts', '../../db/client'],
    ['tests/unit/x.test.ts', '@/app/page'],
    ['bench/x.ts', '../server/config'],
  ])('%s importing %s', async (filePath, source) => {
    await expectClean(filePath, importing(source));
  });
});

describe("'use client' modules stay free of server code", () => {
  it.each(['@/server/config', '../../server/config'])('app/ client module importing %s fails', async (source) => {
    const messages = await lint('app/x/y.tsx', `'use client';\n${importing(source)}`);
    expect(messages.map((message) => message.ruleId)).toEqual(['no-restricted-syntax']);
  });

  it('a client module importing db/ fails on both rules', async () => {
    const messages = await lint('app/x/y.tsx', `'use client';\n${importing('@/db/client')}`);
    expect(messages.map((message) => message.ruleId).sort()).toEqual(['boundaries/dependencies', 'no-restricted-syntax']);
  });

  it('a dynamic import counts too', async () => {
    const messages = await lint('app/x/y.tsx', "'use client';\n\nexport const load = () => import('@/server/config');\n");
    expect(messages.map((message) => message.ruleId)).toEqual(['no-restricted-syntax']);
  });

  it('the same import from a server component passes', async () => {
    await expectClean('app/x/page.tsx', importing('@/server/config'));
  });

  it('a client module may import lib/', async () => {
    await expectClean('app/x/y.tsx', `'use client';\n${importing('@/lib/where/parser')}`);
  });
});

describe('lib/ stays pure', () => {
  it.each(['node:fs', 'fs/promises', 'node:child_process', 'node:net'])('importing %s fails', async (source) => {
    const messages = await lint('lib/enrich/x.ts', importing(source));
    expect(messages.map((message) => message.ruleId)).toEqual(['no-restricted-imports']);
  });

  it('compute-only built-ins are fine', async () => {
    await expectClean('lib/otlp/x.ts', importing('node:zlib'));
  });

  it('the same I/O import outside lib/ passes', async () => {
    await expectClean('server/x.ts', importing('node:fs'));
  });
});

describe('process.env is read in one place', () => {
  const readsEnv = 'export const port = process.env.PORT;\n';
  const destructuresEnv = 'const { env } = process;\n\nexport const port = env.PORT;\n';

  it.each(['lib/where/x.ts', 'db/client-x.ts', 'server/http/x.ts', 'components/x.tsx', 'app/page-x.tsx', 'cli/serve-x.ts'])(
    '%s may not read it',
    async (filePath) => {
      expect((await lint(filePath, readsEnv)).map((message) => message.ruleId)).toEqual(['no-restricted-properties']);
      expect((await lint(filePath, destructuresEnv)).map((message) => message.ruleId)).toEqual(['no-restricted-properties']);
    },
  );

  it.each(['server/config.ts', 'cli/main.ts', 'bin/x.mjs', 'tests/unit/x.test.ts', 'bench/x.ts', 'next.config.js', 'vitest.config.ts'])(
    '%s may',
    async (filePath) => {
      await expectClean(filePath, readsEnv);
    },
  );
});
