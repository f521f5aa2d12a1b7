/**
 * Reading a model version's own files: its `input_example.json` and
 * `MLmodel`, from the logged model (MLflow 3) or the source run's artifacts.
 * Shared by the Serving tab (the example request) and the version page (the
 * signature).
 */
import type { LabtrackAPI } from '../api/client';
import type { IModelVersion } from '../api/types';
import { sourcePath } from './logic';

/** What a version's model folder says about its input; null where a file is missing. */
export interface IModelFiles {
  example: unknown;
  mlmodel: string | null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function files(example: unknown, mlmodel: unknown): IModelFiles {
  return {
    example: typeof example === 'string' ? parseJson(example) : example,
    mlmodel: typeof mlmodel === 'string' ? mlmodel : null
  };
}

/** The saved input example and the `MLmodel` text of version `v`. */
export async function readModelFiles(
  api: LabtrackAPI,
  v: IModelVersion
): Promise<IModelFiles> {
  if (v.model_id) {
    // A logged model (MLflow 3): its files are kept with the model.
    const id = v.model_id;
    const [example, mlmodel] = await Promise.all([
      api.loggedModels.artifactText(id, 'input_example.json').catch(() => null),
      api.loggedModels.artifactText(id, 'MLmodel').catch(() => null)
    ]);
    return files(example, mlmodel);
  }
  if (!v.run_id) {
    return files(null, null);
  }
  const run = await api.runs.get(v.run_id);
  const path = sourcePath(v.source, run.info.artifact_uri);
  if (path === null) {
    return files(null, null);
  }
  const prefix = path ? `${path}/` : '';
  const [example, mlmodel] = await Promise.all([
    api.runs
      .artifactText(v.run_id, `${prefix}input_example.json`)
      .catch(() => null),
    api.runs.artifactText(v.run_id, `${prefix}MLmodel`).catch(() => null)
  ]);
  return files(example, mlmodel);
}
