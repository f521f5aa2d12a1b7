/**
 * Wire types of the model registry and serving API
 * (`labtrack/api/registered-models/...`). Field names stay snake_case as on
 * the wire; versions are numbers, times epoch milliseconds.
 */

/** The stages a version can be moved to, in the order the UI offers them. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

export interface IModelVersion {
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string | null;
  current_stage: Stage | string;
  description: string | null;
  /** `runs:/<run_id>/<path>` for a version made from a run. */
  source: string;
  run_id: string | null;
  status: string;
  status_message: string | null;
  tags: Record<string, string>;
  aliases: string[];
}

export interface IRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string | null;
  /** The latest version of each stage. */
  latest_versions: IModelVersion[];
  tags: Record<string, string>;
  /** alias -> version number */
  aliases: Record<string, number>;
}

export interface IModelList {
  registered_models: IRegisteredModel[];
  next_page_token: string | null;
}

export interface IVersionList {
  model_versions: IModelVersion[];
  next_page_token: string | null;
}

export interface ITransition {
  from_stage: string;
  to_stage: string;
  user_id: string | null;
  timestamp: number;
}

/** One endpoint of a served model: `ref` is a version, stage, `latest` or alias. */
export interface IEndpoint {
  ref: string;
  version: number;
  /** Path from the server's root, e.g. `/labtrack/serving/m/Production/invocations`. */
  url: string;
}

export type ServingState = 'stopped' | 'starting' | 'ready' | 'restarting';

/** `GET|PUT registered-models/{name}/serving`. */
export interface IServingStatus {
  name: string;
  enabled: boolean;
  state: ServingState | string;
  pid: number | null;
  restarts: number;
  last_exit_code: number | null;
  log_tail: string | null;
  versions: {
    version: number;
    current_stage: string;
    aliases: string[];
    loaded: boolean;
    error: string | null;
    url: string;
  }[];
  endpoints: IEndpoint[];
}

/** The answer of a test request to a model endpoint. */
export interface IInvocationReply {
  status: number;
  ok: boolean;
  /** The body: pretty JSON when it is JSON, else the text. */
  text: string;
}
