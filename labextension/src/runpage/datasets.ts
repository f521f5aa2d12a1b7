/**
 * Pure logic of the run page's Datasets section: what a stored dataset's
 * JSON fields (source, schema, profile) say, in words. No DOM, so jest tests
 * it in Node. Every field comes from the store and may be anything: nothing
 * here throws on bad JSON.
 */
import type { IDataset, IDatasetInput } from '../api/types';

/** The input tag that says how the run used the dataset (MLflow's name). */
export const CONTEXT_TAG = 'mlflow.data.context';

function parse(text: string | null): unknown {
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** How the run used the dataset (`training`, `evaluation`...), or ''. */
export function datasetContext(input: IDatasetInput): string {
  return input.tags.find(t => t.key === CONTEXT_TAG)?.value ?? '';
}

/** Where the data came from: a path or URL, or the code that built it. */
export function datasetSource(dataset: IDataset): string {
  const source = record(parse(dataset.source));
  for (const key of ['uri', 'url', 'path']) {
    if (typeof source?.[key] === 'string') {
      return source[key] as string;
    }
  }
  const tags = record(source?.tags);
  const script = Object.entries(tags ?? {}).find(([k]) =>
    k.endsWith('source.name')
  )?.[1];
  return dataset.source_type === 'code' && typeof script === 'string' && script
    ? `code: ${script}`
    : dataset.source_type;
}

/** The columns (`name: type`) or tensors (`float64 [-1, 4]`) of the schema. */
export function datasetSchema(dataset: IDataset): string[] {
  const schema = record(parse(dataset.schema));
  const columns = schema?.mlflow_colspec;
  if (Array.isArray(columns)) {
    return columns.map(c => {
      const col = record(c);
      const type = typeof col?.type === 'string' ? col.type : '?';
      return typeof col?.name === 'string' ? `${col.name}: ${type}` : type;
    });
  }
  const tensors = record(schema?.mlflow_tensorspec);
  if (tensors) {
    const describe = (json: unknown, role: string): string[] => {
      const specs = parse(typeof json === 'string' ? json : null);
      return Array.isArray(specs)
        ? specs.map(s => {
            const spec = record(record(s)?.['tensor-spec']);
            const name = record(s)?.name;
            const shape = Array.isArray(spec?.shape)
              ? spec.shape.join(', ')
              : '';
            const label = typeof name === 'string' ? `${role} ${name}` : role;
            return `${label}: ${String(spec?.dtype ?? '?')} [${shape}]`;
          })
        : [];
    };
    return [
      ...describe(tensors.features, 'features'),
      ...describe(tensors.targets, 'targets')
    ];
  }
  return [];
}

/** Rows, from the profile (`num_rows`, or the features' first dimension). */
export function datasetRows(dataset: IDataset): number | null {
  const profile = record(parse(dataset.profile));
  if (typeof profile?.num_rows === 'number') {
    return profile.num_rows;
  }
  const shape = profile?.features_shape;
  return Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : null;
}
