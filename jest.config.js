/**
 * Unit tests of the frontend's state classes, pure logic and request layer.
 * They run in Node against TypeScript sources (the server is a fake:
 * __tests__/fakeServer.ts); no browser and no Jupyter server are needed.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/labextension/src'],
  testRegex: '/__tests__/.*\\.spec\\.tsx?$',
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          target: 'ES2020',
          esModuleInterop: true,
          jsx: 'react',
          strict: true,
          types: ['node']
        }
      }
    ]
  }
};
