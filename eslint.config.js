// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries: the layout is the architecture, so the linter keeps it. Each entry is
// a regex on the import specifier (all our imports are relative), with the reason a
// reviewer would give. ESLint applies only the last matching config's rule options, so each
// area lists every boundary that holds for it.
const productionBoundaries = [
  {
    regex: '(^|/)(simulator|harness|hack|e2e)/',
    message:
      'Production code (cmd/, operator/, webhooks/) never imports the simulator, the test harness, hack/ scripts or e2e: the image ships without them.',
  },
  {
    regex: '(^|/)test/|\\.test\\.js$',
    message: 'Production code never imports tests or their helpers.',
  },
];
const boundary = (files, extra = []) => ({
  files,
  ignores: ['**/*.test.ts', '**/test/**'],
  rules: { 'no-restricted-imports': ['error', { patterns: [...productionBoundaries, ...extra] }] },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stratus/', 'crds/', 'charts/**/templates/', 'charts/**/files/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'off',
    },
  },
  boundary(['cmd/**/*.ts', 'operator/**/*.ts', 'webhooks/**/*.ts']),
  boundary(
    ['operator/openstack/**/*.ts'],
    [
      {
        regex: '(^|/)controllers/',
        message:
          'The OpenStack API writes and reads CRs; it does not reach into controllers. Shared rules live in operator/domain/.',
      },
    ],
  ),
  boundary(
    ['operator/controllers/*/**/*.ts'],
    [
      {
        regex: '^\\.\\./(?!\\.\\.)[^/]+/',
        message:
          "A controller does not import another controller's modules. Move what both need to operator/domain/ (contracts, address arithmetic, subnet rules).",
      },
    ],
  ),
  boundary(
    ['operator/kinds/**/*.ts', 'operator/domain/**/*.ts', 'operator/runtime/**/*.ts'],
    [
      {
        regex: '(^|/)(controllers|openstack)/|^\\.\\./\\.\\./webhooks/',
        message:
          'Kinds, domain rules and the runtime are the bottom layers: they import no component above them.',
      },
    ],
  ),
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
