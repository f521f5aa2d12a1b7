/**
 * Interfaces, wire types and identifiers shared by the labtrack frontend.
 *
 * Wire types mirror the JSON served by the server extension under
 * `<base_url>labtrack/api/`; field names stay snake_case as on the wire.
 */

/** The plugin id; also names the settings schema (`schema/plugin.json`). */
export const PLUGIN_ID = 'labtrack:plugin';

/** Command ids. */
export namespace CommandIDs {
  export const openSidebar = 'labtrack:open-sidebar';
}

/** `GET labtrack/api/store`: which store the server reads. */
export interface IStoreInfo {
  /** SQLAlchemy URL of the tracking database, password masked. */
  tracking_uri: string;
  /** Where artifacts are written: a local folder or an fsspec URL. */
  artifact_root: string;
}

/** The body of every error the API returns. */
export interface IErrorReply {
  error_code: string;
  message: string;
}

/** The single network call site's signature (see `handler.ts`). */
export type RequestAPI = <T>(
  endPoint: string,
  init?: RequestInit
) => Promise<T>;
