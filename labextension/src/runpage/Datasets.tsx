/**
 * The run page's Datasets section: each dataset the run used, with its
 * context, digest, source, row count and schema. Every string renders as
 * text.
 */
import * as React from 'react';

import type { IDatasetInput } from '../api/types';
import {
  datasetContext,
  datasetRows,
  datasetSchema,
  datasetSource
} from './datasets';

export function Datasets(props: {
  inputs: ReadonlyArray<IDatasetInput>;
}): JSX.Element {
  if (props.inputs.length === 0) {
    return <p className="lt-RunPage-empty">No datasets.</p>;
  }
  return (
    <table className="lt-Table lt-Datasets">
      <thead>
        <tr>
          <th>name</th>
          <th>context</th>
          <th>digest</th>
          <th>source</th>
          <th>rows</th>
          <th>schema</th>
        </tr>
      </thead>
      <tbody>
        {props.inputs.map(input => {
          const { dataset } = input;
          const schema = datasetSchema(dataset);
          const rows = datasetRows(dataset);
          return (
            <tr
              key={`${dataset.name}\u0000${dataset.digest}`}
              className="lt-Datasets-row"
            >
              <th>{dataset.name}</th>
              <td>{datasetContext(input)}</td>
              <td>
                <code>{dataset.digest}</code>
              </td>
              <td className="lt-Datasets-source">{datasetSource(dataset)}</td>
              <td>{rows === null ? '' : rows.toLocaleString()}</td>
              <td className="lt-Datasets-schema">
                {schema.length > 0 && (
                  <details>
                    <summary>
                      {schema.length}{' '}
                      {schema.length === 1 ? 'column' : 'columns'}
                    </summary>
                    <ul>
                      {schema.map((line, i) => (
                        <li key={i}>{line}</li>
                      ))}
                    </ul>
                  </details>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
