// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression[expression.property.name='state'], TSAsExpression[expression.object.property.name='state']",
          message: 'ctx.state is typed once in shared/state.ts (Koa DefaultState): declare the field there instead of casting.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'factories/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // chai's `expect(x).to.be.true` is an expression statement by design.
      '@typescript-eslint/no-unused-expressions': 'off',
      // inject(app.callback(), …) hands a promise-returning listener to light-my-request, as
      // http.createServer would; and parsed test responses are read as `any` on purpose.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // The local console's page script runs in the browser, as plain JavaScript.
  { files: ['services/local/console/page/**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['services/local/console/page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['document', 'window', 'fetch', 'EventSource', 'Node', 'URL', 'setInterval', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly'])),
    },
  },
);
