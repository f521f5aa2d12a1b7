import { describe, expect, it } from '@jest/globals';

import type { IDataset } from '../api/types';
import {
  datasetContext,
  datasetRows,
  datasetSchema,
  datasetSource
} from '../runpage/datasets';

const pandas: IDataset = {
  name: 'diabetes',
  digest: 'ce80b7f0',
  source_type: 'local',
  source: '{"uri": "diabetes.csv"}',
  schema:
    '{"mlflow_colspec": [{"type": "double", "name": "age", "required": true}, {"type": "long", "name": "target", "required": true}]}',
  profile: '{"num_rows": 442, "num_elements": 4862}'
};

const numpy: IDataset = {
  name: 'uniform',
  digest: '118766d5',
  source_type: 'code',
  source: '{"tags": {"mlflow.source.name": "train.py"}}',
  schema: JSON.stringify({
    mlflow_tensorspec: {
      features:
        '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 5, 4]}}]',
      targets:
        '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
    }
  }),
  profile: '{"features_shape": [2, 5, 4], "features_size": 40}'
};

describe('datasets on the run page', () => {
  it('reads the context tag', () => {
    expect(
      datasetContext({
        dataset: pandas,
        tags: [
          { key: 'version', value: '1' },
          { key: 'mlflow.data.context', value: 'training' }
        ]
      })
    ).toBe('training');
    expect(datasetContext({ dataset: pandas, tags: [] })).toBe('');
  });

  it('says where the data came from', () => {
    expect(datasetSource(pandas)).toBe('diabetes.csv');
    expect(
      datasetSource({ ...pandas, source: '{"url": "https://x/y.csv"}' })
    ).toBe('https://x/y.csv');
    expect(datasetSource(numpy)).toBe('code: train.py');
    expect(datasetSource({ ...numpy, source: '{"tags": {}}' })).toBe('code');
  });

  it('lists columns and tensors of the schema', () => {
    expect(datasetSchema(pandas)).toEqual(['age: double', 'target: long']);
    expect(datasetSchema(numpy)).toEqual([
      'features: float64 [-1, 5, 4]',
      'targets: int64 [-1]'
    ]);
  });

  it('counts rows from either profile', () => {
    expect(datasetRows(pandas)).toBe(442);
    expect(datasetRows(numpy)).toBe(2);
  });

  it('never throws on fields that are not what they should be', () => {
    const broken: IDataset = {
      ...pandas,
      source: 'not json',
      schema: '{"mlflow_colspec": "nope"}',
      profile: null
    };
    expect(datasetSource(broken)).toBe('local');
    expect(datasetSchema(broken)).toEqual([]);
    expect(datasetRows(broken)).toBeNull();
    expect(datasetSchema({ ...pandas, schema: '[1, 2]' })).toEqual([]);
  });
});
