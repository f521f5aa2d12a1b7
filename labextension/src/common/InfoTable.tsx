import * as React from 'react';

/** A two-column table of labels and values. */
export function InfoTable(props: {
  rows: [string, React.ReactNode][];
}): JSX.Element {
  return (
    <table className="lt-Table lt-RunPage-info">
      <tbody>
        {props.rows.map(([label, value]) => (
          <tr key={label}>
            <th>{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
