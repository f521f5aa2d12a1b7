import { describe, expect, it } from '@jest/globals';

import type { IModelVersion } from '../api/types';
import { isModelFolder } from '../common/modelFolder';
import {
  absoluteUrl,
  aliasList,
  canArchiveOthers,
  compactJson,
  curlExample,
  exampleBody,
  exampleSource,
  jsonError,
  latestPerStage,
  latestVersion,
  prettyBody,
  pythonExample,
  pythonLiteral,
  signatureInputs,
  sourcePath,
  TOKEN_PLACEHOLDER
} from '../registry/logic';

const version = (v: number, stage: string): IModelVersion => ({
  name: 'm',
  version: v,
  creation_timestamp: 1000 * v,
  last_updated_timestamp: 1000 * v,
  user_id: 'ada',
  current_stage: stage,
  description: null,
  source: `runs:/r${v}/model`,
  run_id: `r${v}`,
  status: 'READY',
  status_message: null,
  tags: {},
  aliases: []
});

// As PyYAML writes it (sort_keys, default width): the JSON folds over lines.
const MLMODEL = `flavors:
  python_function:
    loader_module: labtrack.sklearn
signature:
  inputs: '[{"type": "double", "name": "feature_with_a_long_name_0", "required": true},
    {"type": "double", "name": "feature_with_a_long_name_1", "required": true}, {"type":
    "string", "name": "it''s", "required": true}, {"type": "boolean", "name": "flag",
    "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
`;

describe('model folders and sources', () => {
  it('knows a model folder by its MLmodel file', () => {
    expect(
      isModelFolder([
        { path: 'model/MLmodel', is_dir: false },
        { path: 'model/model.skops', is_dir: false }
      ])
    ).toBe(true);
    expect(isModelFolder([{ path: 'model/MLmodel', is_dir: true }])).toBe(
      false
    );
    expect(isModelFolder([{ path: 'notes/MLmodel.txt', is_dir: false }])).toBe(
      false
    );
    expect(isModelFolder([])).toBe(false);
  });

  it("reads the folder inside the run's artifacts from a source", () => {
    expect(sourcePath('runs:/abc/model')).toBe('model');
    expect(sourcePath('runs:/abc/deep/model/')).toBe('deep/model');
    expect(sourcePath('runs:/abc')).toBe('');
    const root = '/home/u/.labtrack/artifacts/1/abc/artifacts';
    expect(sourcePath(`${root}/model`, root)).toBe('model');
    expect(sourcePath(`${root}/a/model`, `${root}/`)).toBe('a/model');
    expect(
      sourcePath('s3://b/p/1/abc/artifacts/m', 's3://b/p/1/abc/artifacts')
    ).toBe('m');
    // A sibling folder whose name starts like the root is outside the run.
    expect(sourcePath(`${root}-other/model`, root)).toBeNull();
    expect(sourcePath('/tmp/models/m/x', root)).toBeNull();
    expect(sourcePath('/tmp/models/m/x')).toBeNull();
  });
});

describe('stages and aliases', () => {
  it('gives the latest version of each stage in stage order', () => {
    const model = {
      latest_versions: [
        version(4, 'Archived'),
        version(3, 'Production'),
        version(5, 'None'),
        version(2, 'Staging'),
        version(1, 'Production')
      ]
    };
    expect(latestPerStage(model)).toEqual([
      { stage: 'None', version: 5 },
      { stage: 'Staging', version: 2 },
      { stage: 'Production', version: 3 },
      { stage: 'Archived', version: 4 }
    ]);
    expect(latestVersion(model)).toBe(5);
    expect(latestPerStage({ latest_versions: [] })).toEqual([]);
    expect(latestVersion({ latest_versions: [] })).toBeNull();
  });

  it('lists aliases sorted by name', () => {
    expect(aliasList({ prod: 2, champion: 3 })).toEqual([
      { alias: 'champion', version: 3 },
      { alias: 'prod', version: 2 }
    ]);
  });

  it('offers to archive others only for Staging and Production', () => {
    expect(canArchiveOthers('Production')).toBe(true);
    expect(canArchiveOthers('Staging')).toBe(true);
    expect(canArchiveOthers('Archived')).toBe(false);
    expect(canArchiveOthers('None')).toBe(false);
  });
});

describe('endpoints and examples', () => {
  const url = absoluteUrl(
    '/base/labtrack/serving/my%20model/Production/invocations',
    'http://127.0.0.1:8888/base/'
  );
  const body = '{\n  "dataframe_split": {"columns": ["a"], "data": [[1]]}\n}';

  it('builds absolute endpoint URLs from the server root path', () => {
    expect(url).toBe(
      'http://127.0.0.1:8888/base/labtrack/serving/my%20model/Production/invocations'
    );
  });

  it('writes a curl example with a token placeholder', () => {
    const curl = curlExample(url, body);
    expect(curl).toContain(`curl -X POST '${url}'`);
    expect(curl).toContain(`Authorization: token ${TOKEN_PLACEHOLDER}`);
    expect(curl).toContain(
      `-d '{"dataframe_split":{"columns":["a"],"data":[[1]]}}'`
    );
    // A quote in the body is closed and reopened for the shell.
    expect(curlExample(url, '{"a": "it\'s"}')).toContain(
      `-d '{"a":"it'\\''s"}'`
    );
  });

  it('writes a Python example with Python literals', () => {
    const python = pythonExample(url, '{"x": [true, null, "true"]}');
    expect(python).toContain(`"${url}"`);
    expect(python).toContain(`token ${TOKEN_PLACEHOLDER}`);
    expect(python).toContain('json={"x":[True,None,"true"]}');
    expect(python).toContain('["predictions"]');
  });

  it('turns JSON literals into Python ones outside strings only', () => {
    expect(pythonLiteral('{"null": null, "s": "false"}')).toBe(
      '{"null": None, "s": "false"}'
    );
  });

  it('keeps text that is not JSON as it is', () => {
    expect(compactJson(' {oops ')).toBe('{oops');
    expect(prettyBody('{"predictions":[1]}')).toBe(
      '{\n  "predictions": [\n    1\n  ]\n}'
    );
    expect(prettyBody('Bad Gateway')).toBe('Bad Gateway');
    expect(jsonError('{"a": 1}')).toBeNull();
    expect(jsonError('{"a": ')).toMatch(/^The request body is not JSON/);
  });
});

describe('test request bodies', () => {
  it("reads a signature's inputs from a folded MLmodel", () => {
    const inputs = signatureInputs(MLMODEL);
    expect(inputs?.map(i => i.name)).toEqual([
      'feature_with_a_long_name_0',
      'feature_with_a_long_name_1',
      "it's",
      'flag'
    ]);
    expect(signatureInputs('flavors: {}\n')).toBeNull();
    expect(signatureInputs("signature:\n  inputs: '[not json'\n")).toBeNull();
  });

  it('prefers the saved input example (split orient)', () => {
    const body = JSON.parse(
      exampleBody({ columns: ['a', 'b'], data: [[1, 2]] }, null)
    );
    expect(body).toEqual({
      dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] }
    });
    expect(JSON.parse(exampleBody({ inputs: [[1, 2]] }, null))).toEqual({
      inputs: [[1, 2]]
    });
  });

  it('builds one row from the signature when there is no example', () => {
    const body = JSON.parse(exampleBody(null, signatureInputs(MLMODEL)));
    expect(body.dataframe_split.columns).toHaveLength(4);
    expect(body.dataframe_split.data).toEqual([[0, 0, 'text', false]]);
    const tensor = JSON.parse(
      exampleBody(null, [
        {
          type: 'tensor',
          'tensor-spec': { dtype: 'float64', shape: [-1, 3] }
        }
      ])
    );
    expect(tensor).toEqual({ inputs: [[0, 0, 0]] });
  });

  it('falls back to a dataframe_split skeleton', () => {
    expect(exampleSource(null, null)).toBe('placeholder');
    expect(exampleSource(null, signatureInputs(MLMODEL))).toBe('signature');
    expect(exampleSource({ columns: ['a'], data: [[1]] }, null)).toBe(
      'input example'
    );
    expect(JSON.parse(exampleBody(null, null))).toEqual({
      dataframe_split: { columns: ['feature_1'], data: [[0]] }
    });
  });
});
