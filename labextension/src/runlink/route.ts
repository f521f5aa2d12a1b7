/**
 * The address a cell's plain-text output gives a run:
 * `<server>/lab?labtrack-run=<run id>` (see `notebook/cell_output.py`).
 */

/** A search naming a run: `labtrack-run=` and 32 hexadecimal digits. */
export const RUN_PARAM = /[?&]labtrack-run=([0-9a-fA-F]{32})(?:&|$)/;

/** The run id an address's search names, or null. */
export function runIdFromSearch(search: string): string | null {
  const match = RUN_PARAM.exec(search);
  return match ? match[1].toLowerCase() : null;
}
