/**
 * The address in a cell's plain-text output (`lab?labtrack-run=<run id>`):
 * which searches name a run.
 */
import { describe, expect, it } from '@jest/globals';

import { runIdFromSearch } from '../runlink/route';

const ID = '0123456789abcdef0123456789ABCDEF';

describe('the run address route', () => {
  it('reads the run id from the search, alone or among other parameters', () => {
    expect(runIdFromSearch(`?labtrack-run=${ID}`)).toBe(ID.toLowerCase());
    expect(runIdFromSearch(`?reset&labtrack-run=${ID}&token=t`)).toBe(
      ID.toLowerCase()
    );
  });

  it('ignores what is not a run id', () => {
    expect(runIdFromSearch('?labtrack-run=abc')).toBeNull();
    expect(runIdFromSearch(`?labtrack-run=${ID}x`)).toBeNull();
    expect(runIdFromSearch(`?other-labtrack-run=${ID}`)).toBeNull();
    expect(runIdFromSearch('')).toBeNull();
  });
});
