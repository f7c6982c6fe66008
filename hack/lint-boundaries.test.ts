// The import boundaries in eslint.config.js keep the layout honest: production code never
// reaches the simulator, the harness, scripts or tests, and layers import only downwards.
// This asks ESLint for the configuration it would apply to each path and checks its verdict
// on one import, so a boundary that stops matching (a renamed folder, a loosened pattern)
// fails here instead of silently letting violations through.
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/binaries.js';

async function verdict(file: string, specifier: string): Promise<string[]> {
  const config = (await new ESLint({ cwd: repoRoot }).calculateConfigForFile(file)) as {
    rules?: Record<string, Linter.RuleEntry>;
  };
  const rule = config.rules?.['no-restricted-imports'];
  if (!rule) return [];
  const messages = new Linter().verify(
    `import { x } from '${specifier}';\nexport { x };\n`,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { sourceType: 'module' },
        rules: { 'no-restricted-imports': rule },
      },
    ],
    file,
  );
  return messages.map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['operator/controllers/flavor/desired.ts', '../../../simulator/common.js', 'never imports the simulator'],
    ['operator/openstack/process.ts', '../../harness/testing/eventually.js', 'never imports the simulator'],
    ['webhooks/process.ts', '../hack/dev.js', 'never imports the simulator'],
    ['cmd/operator.ts', '../operator/test/support.js', 'never imports tests'],
    [
      'operator/openstack/compute/servers.ts',
      '../../controllers/instance/desired.js',
      'does not reach into controllers',
    ],
    ['operator/controllers/instance/resolve.ts', '../network/desired.js', "another controller's modules"],
    ['operator/runtime/controller.ts', '../controllers/children.js', 'bottom layers'],
    ['operator/domain/subnet.ts', '../openstack/cache.js', 'bottom layers'],
  ])('%s may not import %s', async (file, specifier, reason) => {
    const messages = await verdict(file, specifier);
    expect(messages.join('\n')).toContain(reason);
  });

  it.each([
    ['operator/controllers/instance/resolve.ts', '../../domain/subnet.js'],
    ['operator/controllers/instance/resolve.ts', '../children.js'],
    ['operator/openstack/process.ts', '../kinds/index.js'],
    ['cmd/operator.ts', '../operator/process.js'],
    ['operator/controllers/test/compute.int.test.ts', '../../../harness/testing/eventually.js'],
    ['simulator/kubevirt.ts', '../operator/runtime/controller.js'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await verdict(file, specifier)).toEqual([]);
  });
});

describe('the image', () => {
  it('compiles cmd/, operator/ and webhooks/ only: no simulator, harness, scripts or tests', () => {
    // What `tsc -p tsconfig.build.json` (the Dockerfile's build) would compile, imports followed.
    const listed = execFileSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    const ours = listed
      .split('\n')
      .filter((line) => line && !line.includes('/node_modules/'))
      .map((line) => relative(repoRoot, line));
    expect(ours.length).toBeGreaterThan(50);
    expect(ours.filter((file) => !/^(cmd|operator|webhooks)\//.test(file))).toEqual([]);
    expect(ours.filter((file) => /\.test\.ts$|\/test\//.test(file))).toEqual([]);
  }, 120_000); // a type-check of the production tree: seconds alone, much longer on a busy machine
});
