/**
 * Pure helpers of the model registry UI (jest-tested): stages per model,
 * where a version's files are, endpoint URLs, code examples and the body of
 * a test request.
 */
import { type IRegisteredModel, STAGES } from '../api/types';

/**
 * The folder inside the run's artifacts that a version's source points at:
 * from a `runs:/<run_id>/<path>` source, or from a source below the run's
 * artifact URI (what the registry stores for a version made from a run).
 * Null for a source outside the run.
 */
export function sourcePath(source: string, artifactUri = ''): string | null {
  const trim = (path: string): string => path.replace(/^\/+|\/+$/g, '');
  const match = /^runs:\/[^/]+\/?(.*)$/.exec(source ?? '');
  if (match) {
    return trim(match[1]);
  }
  const root = artifactUri.replace(/\/+$/, '');
  if (root && (source === root || source.startsWith(`${root}/`))) {
    return trim(source.slice(root.length));
  }
  return null;
}

/** One cell of the models list: a stage and the latest version in it. */
export interface IStageVersion {
  stage: string;
  version: number;
}

/**
 * The latest version of each stage, in the order None, Staging, Production,
 * Archived (then any other stage), one entry per stage.
 */
export function latestPerStage(
  model: Pick<IRegisteredModel, 'latest_versions'>
): IStageVersion[] {
  const best = new Map<string, number>();
  for (const v of model.latest_versions ?? []) {
    const stage = v.current_stage || 'None';
    best.set(stage, Math.max(best.get(stage) ?? 0, v.version));
  }
  const rank = (s: string): number => {
    const i = (STAGES as readonly string[]).indexOf(s);
    return i < 0 ? STAGES.length : i;
  };
  return [...best.entries()]
    .map(([stage, version]) => ({ stage, version }))
    .sort(
      (a, b) => rank(a.stage) - rank(b.stage) || a.stage.localeCompare(b.stage)
    );
}

/** The highest version number of a model; null without versions. */
export function latestVersion(
  model: Pick<IRegisteredModel, 'latest_versions'>
): number | null {
  const numbers = (model.latest_versions ?? []).map(v => v.version);
  return numbers.length ? Math.max(...numbers) : null;
}

/** The versions' aliases as alias -> version, sorted by alias. */
export function aliasList(
  aliases: Record<string, number>
): { alias: string; version: number }[] {
  return Object.entries(aliases ?? {})
    .map(([alias, version]) => ({ alias, version }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

/** "@champion → v3, @canary → v4" */
export const aliasText = (aliases: IRegisteredModel['aliases']): string =>
  aliasList(aliases)
    .map(a => `@${a.alias} → v${a.version}`)
    .join(', ');

/** Moving to Production may archive the versions in Production now. */
export const canArchiveOthers = (stage: string): boolean =>
  stage === 'Production' || stage === 'Staging';

/** An absolute URL from a path from the server's root and the page's origin. */
export function absoluteUrl(path: string, origin: string): string {
  return new URL(path, origin).href;
}

/** The code examples: the token is a placeholder, never the real one. */
export const TOKEN_PLACEHOLDER = '<your-jupyter-token>';

export function curlExample(url: string, body: string): string {
  const compact = compactJson(body);
  return [
    `curl -X POST '${url}' \\`,
    `  -H 'Authorization: token ${TOKEN_PLACEHOLDER}' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '${compact.replace(/'/g, "'\\''")}'`
  ].join('\n');
}

export function pythonExample(url: string, body: string): string {
  return [
    'import requests',
    '',
    'response = requests.post(',
    `    ${JSON.stringify(url)},`,
    `    headers={"Authorization": "token ${TOKEN_PLACEHOLDER}"},`,
    `    json=${pythonLiteral(compactJson(body))},`,
    ')',
    'response.raise_for_status()',
    'print(response.json()["predictions"])'
  ].join('\n');
}

/** JSON on one line when it parses; the text unchanged otherwise. */
export function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.trim();
  }
}

/** A JSON text as a Python literal (true/false/null -> True/False/None). */
export function pythonLiteral(json: string): string {
  // Outside strings only: split on string literals and keep them as they are.
  return json
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\btrue\b/g, 'True')
            .replace(/\bfalse\b/g, 'False')
            .replace(/\bnull\b/g, 'None')
    )
    .join('');
}

/** Pretty JSON when `text` is JSON, else the text. */
export function prettyBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One input of a model signature, as `MLmodel` stores it. */
export interface ISignatureInput {
  type: string;
  name?: string;
  'tensor-spec'?: { dtype: string; shape: number[] };
}

/**
 * The `signature.inputs` of an `MLmodel` text (YAML): a JSON list held in a
 * YAML string, single-quoted or double-quoted, possibly folded over several
 * lines. Null when there is none or it does not parse.
 */
export function signatureInputs(mlmodel: string): ISignatureInput[] | null {
  return signatureField(mlmodel, 'inputs');
}

/** The `signature.outputs` of an `MLmodel` text, as `signatureInputs` reads inputs. */
export function signatureOutputs(mlmodel: string): ISignatureInput[] | null {
  return signatureField(mlmodel, 'outputs');
}

function signatureField(
  mlmodel: string,
  field: 'inputs' | 'outputs'
): ISignatureInput[] | null {
  const lines = mlmodel.split(/\r?\n/);
  const start = lines.findIndex(l => /^signature:\s*$/.test(l));
  if (start < 0) {
    return null;
  }
  for (let i = start + 1; i < lines.length && /^\s/.test(lines[i]); i++) {
    const match = new RegExp(`^\\s+${field}:\\s*(['"])(.*)$`).exec(lines[i]);
    if (!match) {
      continue;
    }
    const quote = match[1];
    let text = match[2];
    // A folded scalar goes on in more indented lines; a line break is a space.
    for (let j = i + 1; j < lines.length && /^\s{3,}/.test(lines[j]); j++) {
      text += ' ' + lines[j].trim();
    }
    const end = quote === "'" ? /'(?!')\s*$/ : /"\s*$/;
    text = text.replace(end, '');
    const value =
      quote === "'"
        ? text.replace(/''/g, "'")
        : (JSON.parse(`"${text}"`) as string);
    try {
      const parsed = JSON.parse(value);
      return Array.isArray(parsed) ? (parsed as ISignatureInput[]) : null;
    } catch {
      return null;
    }
  }
  return null;
}

const SAMPLE: Record<string, unknown> = {
  boolean: false,
  string: 'text',
  binary: '',
  datetime: '2024-01-01T00:00:00'
};

/** A placeholder value for a column of a signature's type. */
const sampleValue = (type: string): unknown =>
  type in SAMPLE ? SAMPLE[type] : 0;

/** Where a test request's body comes from. */
export type ExampleSource = 'input example' | 'signature' | 'placeholder';

/** Which of the model's descriptions `exampleBody` builds the body from. */
export function exampleSource(
  example: unknown,
  inputs: ISignatureInput[] | null
): ExampleSource {
  if (example && typeof example === 'object') {
    const e = example as Record<string, unknown>;
    if (
      (Array.isArray(e.columns) && Array.isArray(e.data)) ||
      'inputs' in e ||
      'instances' in e ||
      'dataframe_split' in e
    ) {
      return 'input example';
    }
  }
  return inputs && inputs.length > 0 ? 'signature' : 'placeholder';
}

/**
 * The body of a test request: the saved input example when there is one,
 * else one row built from the signature, else a `dataframe_split` skeleton.
 */
export function exampleBody(
  example: unknown,
  inputs: ISignatureInput[] | null
): string {
  const pretty = (value: unknown): string => JSON.stringify(value, null, 2);
  if (example && typeof example === 'object') {
    const e = example as Record<string, unknown>;
    if (Array.isArray(e.columns) && Array.isArray(e.data)) {
      return pretty({ dataframe_split: { columns: e.columns, data: e.data } });
    }
    if ('inputs' in e || 'instances' in e || 'dataframe_split' in e) {
      return pretty(e);
    }
  }
  if (inputs && inputs.length > 0) {
    const tensor = inputs.find(i => i.type === 'tensor');
    if (tensor) {
      const width = tensor['tensor-spec']?.shape?.slice(1) ?? [];
      const row = width.length === 1 && width[0] > 0 ? width[0] : 1;
      return pretty({ inputs: [new Array(row).fill(0)] });
    }
    return pretty({
      dataframe_split: {
        columns: inputs.map((c, i) => c.name ?? `${i}`),
        data: [inputs.map(c => sampleValue(c.type))]
      }
    });
  }
  return pretty({ dataframe_split: { columns: ['feature_1'], data: [[0]] } });
}

/** Whether a text is JSON; the parser's message when it is not. */
export function jsonError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return `The request body is not JSON (${(error as Error).message}): fix it, or press "Reset to the example".`;
  }
}

/** A signature column as one line of text: `age: double` (a tensor: its dtype and shape). */
export function columnText(c: ISignatureInput): string {
  const spec = c['tensor-spec'];
  const type = spec
    ? `tensor ${spec.dtype} [${spec.shape.join(', ')}]`
    : c.type;
  return c.name ? `${c.name}: ${type}` : type;
}

/** A JSON value as a Python literal, written as Python prints it: `[1, "a", None]`. */
function pythonValue(value: unknown): string {
  return pythonLiteral(JSON.stringify(value))
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/,/g, ', ')))
    .join('');
}

/** A request body as an object; empty when it is not a JSON object. */
function parseBody(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The "load and predict" snippet of a model version: load it by its
 * `models:/` URI and predict on one row shaped like its input (the saved
 * example, else the signature, else a placeholder column).
 */
export function loadSnippet(
  name: string,
  version: number,
  body: string
): string {
  const uri = `models:/${name}/${version}`;
  const parsed = parseBody(body);
  const split = parsed.dataframe_split as
    { columns?: unknown; data?: unknown } | undefined;
  const tensor = parsed.inputs ?? parsed.instances ?? null;
  const data = split
    ? [
        'data = pd.DataFrame(',
        `    ${pythonValue(split.data ?? [])},`,
        `    columns=${pythonValue(split.columns ?? [])},`,
        ')'
      ]
    : [`data = np.array(${pythonValue(tensor ?? [[0]])})`];
  return [
    'import labtrack as mlflow',
    split ? 'import pandas as pd' : 'import numpy as np',
    '',
    `model = mlflow.pyfunc.load_model(${JSON.stringify(uri)})`,
    ...data,
    'print(model.predict(data))'
  ].join('\n');
}

/**
 * The models whose name or description holds `query` (case-insensitive).
 * The list holds every model (up to 1000), so searching it needs no request.
 */
export function matchingModels(
  models: IRegisteredModel[],
  query: string
): IRegisteredModel[] {
  const q = query.trim().toLowerCase();
  if (!q) {
    return models;
  }
  return models.filter(
    m =>
      m.name.toLowerCase().includes(q) ||
      (m.description ?? '').toLowerCase().includes(q)
  );
}
