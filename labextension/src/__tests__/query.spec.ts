import { describe, expect, it } from '@jest/globals';

import {
  EMPTY_QUERY,
  isSortable,
  ALWAYS_COLUMNS,
  FEW_GLOB_COLUMNS,
  MAX_GLOB_COLUMNS,
  orderByClauses,
  quoteKey,
  defaultCandidates,
  resolveDefaultColumns,
  runsQueryString
} from '../sidebar/query';
import { row } from './fakeServer';

const ALWAYS = ALWAYS_COLUMNS.join(',');

const params = (text: string): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(text));

describe('quoteKey', () => {
  it('leaves plain keys bare, dots included', () => {
    expect(quoteKey('model.depth')).toBe('model.depth');
  });

  it('back-quotes keys with spaces or symbols, doubling inner back-quotes', () => {
    expect(quoteKey('my key')).toBe('`my key`');
    expect(quoteKey("it's")).toBe("`it's`");
    expect(quoteKey('a`b c')).toBe('`a``b c`');
  });
});

describe('orderByClauses', () => {
  it('orders by attributes and keyed columns, newest first breaking ties', () => {
    expect(orderByClauses({ column: 'metrics.rmse', ascending: true })).toEqual(
      ['metrics.rmse ASC', 'attributes.start_time DESC']
    );
    expect(orderByClauses({ column: 'run_name', ascending: false })).toEqual([
      'attributes.run_name DESC',
      'attributes.start_time DESC'
    ]);
    expect(orderByClauses({ column: 'start_time', ascending: true })).toEqual([
      'attributes.start_time ASC'
    ]);
  });

  it('quotes keys that need it', () => {
    expect(
      orderByClauses({ column: 'params.learning rate', ascending: true })[0]
    ).toBe('params.`learning rate` ASC');
  });

  it('gives nothing for the server order and for a computed column', () => {
    expect(orderByClauses(null)).toEqual([]);
    expect(orderByClauses({ column: 'duration', ascending: true })).toEqual([]);
    expect(isSortable('duration')).toBe(false);
    expect(isSortable('tags.team')).toBe(true);
  });
});

describe('runsQueryString', () => {
  it('sends only the experiment and the always-wanted tag for an empty query', () => {
    expect(
      params(
        runsQueryString({
          experimentIds: ['1'],
          query: EMPTY_QUERY,
          columns: []
        })
      )
    ).toEqual({ experiment_id: '1', columns: ALWAYS });
  });

  it('carries the filter, sort, page, columns and every quick filter', () => {
    const text = runsQueryString({
      experimentIds: ['1', '2'],
      query: {
        filter: "  metrics.rmse < 1 and params.model = 'tree' ",
        statuses: ['RUNNING', 'FAILED'],
        startedWithin: 'day',
        hasModel: true,
        hasRegisteredModel: true,
        sort: { column: 'metrics.rmse', ascending: false }
      },
      columns: ['params.model', 'metrics.rmse'],
      maxResults: 50,
      pageToken: 'tok',
      view: 'all',
      now: 100_000_000
    });
    expect(params(text)).toEqual({
      experiment_id: '1,2',
      filter: "metrics.rmse < 1 and params.model = 'tree'",
      order_by: 'metrics.rmse DESC,attributes.start_time DESC',
      max_results: '50',
      page_token: 'tok',
      columns: `params.model,metrics.rmse,${ALWAYS}`,
      view: 'all',
      status: 'RUNNING,FAILED',
      started_after: String(100_000_000 - 86_400_000),
      has_model: 'true',
      has_registered_model: 'true'
    });
  });

  it('encodes what the filter holds', () => {
    const text = runsQueryString({
      experimentIds: ['1'],
      query: { ...EMPTY_QUERY, filter: "tags.x = 'a&b=c #d'" },
      columns: []
    });
    expect(new URLSearchParams(text).get('filter')).toBe("tags.x = 'a&b=c #d'");
  });
});

describe('resolveDefaultColumns', () => {
  const keys = {
    params: ['alpha', 'solver'],
    metrics: ['r2', 'rmse'],
    tags: ['mlflow.user', 'mlflow.source.name', 'team']
  };

  it('expands kind.* to the keys of that kind, system tags left out', () => {
    expect(resolveDefaultColumns(['metrics.*', 'tags.*'], keys)).toEqual([
      'metrics.r2',
      'metrics.rmse',
      'tags.team'
    ]);
  });

  it('keeps exact entries the experiment has, in order, once', () => {
    expect(
      resolveDefaultColumns(
        ['params.solver', 'params.missing', 'metrics.*', 'metrics.rmse'],
        keys
      )
    ).toEqual(['params.solver', 'metrics.r2', 'metrics.rmse']);
  });

  it('asks for exact entries before the keys are known', () => {
    expect(resolveDefaultColumns(['params.alpha', 'metrics.*'], null)).toEqual([
      'params.alpha'
    ]);
  });

  it('caps a glob', () => {
    const many = {
      params: [],
      metrics: Array.from({ length: 30 }, (_, i) => `m${i}`),
      tags: []
    };
    expect(resolveDefaultColumns(['metrics.*'], many)).toHaveLength(
      MAX_GLOB_COLUMNS
    );
  });

  it('shows the keys whose values differ between the runs, absent ones not counting', () => {
    const autolog = {
      params: ['bootstrap', 'ccp_alpha', 'max_depth', 'n_estimators'],
      metrics: ['mse', 'training_score'],
      tags: []
    };
    const rows = [
      row('a', {
        params: { bootstrap: 'True', ccp_alpha: '0.0', max_depth: '3' },
        metrics: { training_score: 0.5 }
      }),
      row('b', {
        params: { bootstrap: 'True', ccp_alpha: '0.0', max_depth: '8' },
        metrics: { training_score: 0.9 }
      }),
      // Logged by hand: no autologged params; n_estimators alone.
      row('c', { params: { n_estimators: '20' }, metrics: { mse: 3000 } })
    ];
    expect(
      resolveDefaultColumns(['metrics.*', 'params.*'], autolog, rows)
    ).toEqual(['metrics.training_score', 'params.max_depth']);
  });

  it('shows a few keys when nothing differs (one run)', () => {
    const many = {
      params: Array.from({ length: 20 }, (_, i) => `p${i}`),
      metrics: [],
      tags: []
    };
    const one = [row('a', { params: { p0: '1', p1: '2' } })];
    expect(resolveDefaultColumns(['params.*'], many, one)).toHaveLength(
      FEW_GLOB_COLUMNS
    );
  });
});

describe('defaultCandidates', () => {
  it('asks for every key of a glob, to see which vary, and exact entries', () => {
    const keys = {
      params: ['alpha', 'solver'],
      metrics: ['rmse'],
      tags: ['labtrack.user', 'team']
    };
    expect(
      defaultCandidates(['metrics.rmse', 'params.*', 'tags.*'], keys)
    ).toEqual(['metrics.rmse', 'params.alpha', 'params.solver', 'tags.team']);
  });
});
