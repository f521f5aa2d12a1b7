import * as React from 'react';

import type { IStoreInfo } from '../../api/types';

export interface IStoreInfoProps {
  info: IStoreInfo | null;
  error: string | null;
  loading: boolean;
}

/** Which store the server reads: tracking URI and artifact root. */
export function StoreInfo(props: IStoreInfoProps): JSX.Element {
  const { info, error, loading } = props;
  return (
    <section className="lt-StoreInfo" aria-label="Store">
      <h3 className="lt-StoreInfo-heading">Store</h3>
      {loading && <p className="lt-StoreInfo-status">Loading…</p>}
      {error && (
        <p className="lt-StoreInfo-error" role="alert">
          Cannot read the store: {error}
        </p>
      )}
      {info && (
        <dl className="lt-StoreInfo-list">
          <dt>Tracking URI</dt>
          <dd>
            <code className="lt-StoreInfo-trackingUri">
              {info.tracking_uri}
            </code>
          </dd>
          <dt>Artifact root</dt>
          <dd>
            <code className="lt-StoreInfo-artifactRoot">
              {info.artifact_root}
            </code>
          </dd>
        </dl>
      )}
    </section>
  );
}
