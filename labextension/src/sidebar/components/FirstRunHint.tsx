import * as React from 'react';

/** What to run to get a first run. */
export function FirstRunHint(): JSX.Element {
  return (
    <pre className="lt-EmptyState-code">
      {`import labtrack as mlflow

with mlflow.start_run():
    mlflow.log_param("alpha", 0.5)
    mlflow.log_metric("rmse", 0.7)`}
    </pre>
  );
}
