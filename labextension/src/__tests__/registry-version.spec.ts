/**
 * A model version's page and the models list's search and "create", against
 * the fake server: the version's run by name, its signature read from the
 * `MLmodel`, the description saved with PATCH, a snippet that loads the
 * version; the list filtered by the search, a refused name's message.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';

import {
  loadSnippet,
  matchingModels,
  signatureOutputs
} from '../registry/logic';
import { ModelPageState, ModelsState } from '../registry/state';
import { FakeServer, HttpError } from './fakeServer';

const VERSION = {
  name: 'm',
  version: 2,
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  user_id: 'ada',
  current_stage: 'Production',
  description: null as string | null,
  source: 'runs:/r1/model',
  run_id: 'r1',
  status: 'READY',
  status_message: null,
  tags: {},
  aliases: []
};

const MLMODEL = [
  'flavors: {}',
  'signature:',
  '  inputs: \'[{"type": "double", "name": "rooms", "required": true}, {"type":',
  '    "long", "name": "age", "required": true}]\'',
  '  outputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape":',
  "    [-1]}}]'",
  ''
].join('\n');

const MODEL = (name: string, description: string | null = null) => ({
  name,
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  description,
  latest_versions: [],
  tags: {},
  aliases: {}
});

function server(): FakeServer {
  const version = { ...VERSION };
  return new FakeServer({
    'registered-models/m': () => MODEL('m'),
    'registered-models/m/versions': () => ({
      model_versions: [version],
      next_page_token: null
    }),
    'registered-models/m/versions/2': () => version,
    'PATCH registered-models/m/versions/2': call => {
      version.description = call.body.description;
      return version;
    },
    'runs/r1': () => ({
      info: { run_id: 'r1', run_name: 'bold-owl-7', artifact_uri: '/a/r1' },
      data: { params: {}, metrics: {}, tags: {} }
    }),
    'runs/r1/artifacts/file': call => {
      if (call.params.get('path') === 'model/MLmodel') {
        return MLMODEL;
      }
      throw new HttpError(404, 'no such file');
    }
  });
}

const flush = () => jest.advanceTimersByTimeAsync(0);

const pageOf = (fake: FakeServer): ModelPageState =>
  new ModelPageState({
    api: fake.api,
    name: 'm',
    baseUrl: 'http://localhost:8888/',
    isVisible: () => true
  });

describe('the version page', () => {
  let page: ModelPageState | null = null;
  afterEach(() => {
    page?.dispose();
    page = null;
    jest.useRealTimers();
  });

  it('shows the run by name, the signature, and saves the description', async () => {
    jest.useFakeTimers();
    const fake = server();
    page = pageOf(fake);
    await page.refresh();
    page.openVersion(2);
    await flush();
    const shown = page.shownVersion!;
    expect(shown.version?.version).toBe(2);
    expect(shown.runName).toBe('bold-owl-7');
    expect(shown.signature.inputs?.map(c => c.name)).toEqual(['rooms', 'age']);
    expect(shown.signature.outputs?.[0]['tensor-spec']?.dtype).toBe('float64');
    // No input example: the snippet predicts on a row built from the signature.
    expect(shown.snippet).toContain(
      'model = mlflow.pyfunc.load_model("models:/m/2")'
    );
    expect(shown.snippet).toContain('columns=["rooms", "age"]');

    await shown.describe('Trained on **2024** data.');
    expect(fake.callsTo('registered-models/m/versions/2', 'PATCH')).toEqual([
      expect.objectContaining({
        body: { description: 'Trained on **2024** data.' }
      })
    ]);
    expect(shown.version?.description).toBe('Trained on **2024** data.');

    // Another tab leaves the version page; its state is disposed.
    page.setTab('serving');
    expect(page.shownVersion).toBeNull();
    expect(shown.isDisposed).toBe(true);
  });

  it('says so when the version cannot be read', async () => {
    jest.useFakeTimers();
    const fake = server();
    page = pageOf(fake);
    page.openVersion(9);
    await flush();
    expect(page.shownVersion?.version).toBeNull();
    expect(page.shownVersion?.error).toContain(
      'registered-models/m/versions/9'
    );
  });
});

describe('the registry helpers', () => {
  it('reads the outputs of a signature', () => {
    expect(signatureOutputs(MLMODEL)).toEqual([
      { type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }
    ]);
    expect(signatureOutputs('flavors: {}\n')).toBeNull();
  });

  it('writes a tensor input as a numpy array, with Python literals', () => {
    const code = loadSnippet('m', 1, '{"inputs": [[true, null, 1]]}');
    expect(code).toContain('import numpy as np');
    expect(code).toContain('data = np.array([[True, None, 1]])');
  });

  it('finds models by name or description, ignoring case', () => {
    const models = [
      MODEL('churn'),
      MODEL('prices', 'Predicts CHURN risk'),
      MODEL('x')
    ];
    expect(matchingModels(models, ' Churn ').map(m => m.name)).toEqual([
      'churn',
      'prices'
    ]);
    expect(matchingModels(models, '')).toHaveLength(3);
  });
});

describe('the models list', () => {
  it('creates a model, and shows why a name is refused', async () => {
    const created: string[] = [];
    const fake = new FakeServer({
      'registered-models': () => ({
        registered_models: created.map(n => MODEL(n)),
        next_page_token: null
      }),
      'POST registered-models': call => {
        if (created.includes(call.body.name)) {
          throw new HttpError(
            409,
            `Registered model '${call.body.name}' already exists.`
          );
        }
        created.push(call.body.name);
        return MODEL(call.body.name);
      }
    });
    const state = new ModelsState(fake.api);
    expect(await state.create('   ')).toBeNull();
    expect(state.createError).toContain('Type a name');
    expect(fake.callsTo('registered-models', 'POST')).toHaveLength(0);

    expect((await state.create(' churn '))?.name).toBe('churn');
    expect(state.createError).toBeNull();
    await state.refresh();
    expect(state.shown?.map(m => m.name)).toEqual(['churn']);

    expect(await state.create('churn')).toBeNull();
    expect(state.createError).toContain('already exists');
    state.setQuery('nothing');
    expect(state.shown).toEqual([]);
    state.dispose();
  });
});
