/** Pure logic of the compare table: which rows differ. No DOM. */

/** A row of a side-by-side table. */
export interface ICompareRow {
  key: string;
  values: (string | undefined)[];
  differs: boolean;
}

/**
 * The rows of one section of the compare table. A row differs when the runs
 * do not all hold the same value (a missing value counts as a value).
 */
export function compareRows(
  keys: string[],
  columns: Record<string, string | number | undefined>[],
  diffOnly: boolean
): ICompareRow[] {
  const rows = keys.map(key => {
    const values = columns.map(c =>
      c[key] === undefined ? undefined : String(c[key])
    );
    const differs =
      new Set(values.map(v => (v === undefined ? '\u0000' : v))).size > 1;
    return { key, values, differs };
  });
  return diffOnly ? rows.filter(r => r.differs) : rows;
}
