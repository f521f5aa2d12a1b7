import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The frontend's layers (labextension/src): api/ talks to the server and
 * imports nothing of ours; common/ may use api/; charts/ may use api/ and
 * common/; a feature may use those and tokens.ts, never another feature
 * (a cross-feature action runs a command). Only api/ makes requests.
 */
const SRC = 'labextension/src';
const FEATURES = [
  'compare',
  'registry',
  'reproduce',
  'runlink',
  'runpage',
  'sidebar',
  'versions'
];
const onlyApi =
  'Only api/ talks to the server: call an endpoint of LabtrackAPI.';
const REQUESTS = {
  paths: [
    {
      name: '@jupyterlab/services',
      importNames: ['ServerConnection'],
      allowTypeImports: true,
      message: onlyApi
    }
  ],
  patterns: [
    {
      regex: '(^|/)api/request$',
      importNames: [
        'requestAPI',
        'requestBlob',
        'requestFromRoot',
        'serverTransport'
      ],
      message: onlyApi
    }
  ]
};

/** Relative imports of these top folders of src, from any depth. */
const folders = names => `^(\\.\\./)+(${names.join('|')})(/|$)`;

/** `no-restricted-imports` for files that must not import `banned`. */
function layer(files, banned, message, requests = true) {
  const patterns = [{ regex: banned, message }];
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        requests
          ? {
              paths: REQUESTS.paths,
              patterns: [...REQUESTS.patterns, ...patterns]
            }
          : { patterns }
      ]
    }
  };
}

const layers = [
  layer(
    [`${SRC}/api/**`],
    '^\\.\\./',
    'api/ is the lowest layer: it imports nothing of the frontend but itself.',
    false
  ),
  layer(
    [`${SRC}/common/**`],
    folders([...FEATURES, 'charts']),
    'common/ may use api/ only.'
  ),
  layer(
    [`${SRC}/charts/**`],
    folders(FEATURES),
    'charts/ may use api/ and common/ only.'
  ),
  ...FEATURES.map(feature =>
    layer(
      [`${SRC}/${feature}/**`],
      folders(FEATURES.filter(other => other !== feature)),
      'A feature does not import another: run its command (tokens.ts), or move the shared part to common/ or charts/.'
    )
  ),
  {
    files: [`${SRC}/**/*.ts`, `${SRC}/**/*.tsx`],
    ignores: [`${SRC}/api/**`],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: onlyApi },
        { name: 'XMLHttpRequest', message: onlyApi }
      ]
    }
  }
];

export default tseslint.config(
  {
    ignores: [
      '.venv/**',
      'node_modules/**',
      'labextension/lib/**',
      'src/labtrack/labextension/**',
      'test-results/**',
      'playwright-report/**',
      'bench/.mlflow-venv/**',
      'tests/mlflow_protocol/.venvs/**',
      'tests/conformance/.mlflow-venvs/**',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      globals: { ...globals.browser, ...globals.node }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  ...layers,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } }
  },
  prettierRecommended
);
