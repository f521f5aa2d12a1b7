/**
 * What the run page's metric charts show: the chosen metrics overlaid, or
 * every metric on its own chart (small multiples), and their histories,
 * fetched again whenever the run is.
 */
import type { LabtrackAPI } from '../api/client';
import type { ISeries } from '../api/types';
import { ViewState } from '../common/viewState';

/** At most this many small charts; the rest are listed as not shown. */
export const MAX_SMALL_MULTIPLES = 24;

/** A metric's history, as the charts draw it. */
export interface IKeyedSeries {
  key: string;
  reply: ISeries;
}

/** The metrics charted: the chosen ones overlaid, or every metric one per chart. */
export function chartedKeys(
  split: boolean,
  chosen: string[],
  metricKeys: string[]
): string[] {
  return split
    ? metricKeys.slice(0, MAX_SMALL_MULTIPLES)
    : chosen.filter(k => metricKeys.includes(k));
}

/** The charts to draw: one with every series, or one per series. */
export function chartGroups<T extends { key: string }>(
  split: boolean,
  series: T[]
): { title: string; series: T[]; firstColor: number }[] {
  if (!split) {
    return [{ title: '', series, firstColor: 0 }];
  }
  return series.map((s, i) => ({ title: s.key, series: [s], firstColor: i }));
}

/** The chosen metrics and their fetched histories. */
export class MetricChartState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly runId: string
  ) {
    super();
  }

  /** Every metric key of the run, sorted. */
  get metricKeys(): string[] {
    return this._metricKeys;
  }

  get chosen(): string[] {
    return this._chosen;
  }

  /** One chart per metric rather than the chosen ones overlaid. */
  get split(): boolean {
    return this._split;
  }

  /** The metrics charted now. */
  get shown(): string[] {
    return chartedKeys(this._split, this._chosen, this._metricKeys);
  }

  get series(): IKeyedSeries[] {
    return this._series;
  }

  get error(): string | null {
    return this._error;
  }

  /**
   * The run's metric keys, after each fetch of the run: the first key is
   * chosen at first, and again when new keys come while none is chosen.
   */
  setKeys(metricKeys: string[]): void {
    const joined = metricKeys.join('\0');
    const changed = joined !== this._joinedKeys;
    this._metricKeys = metricKeys;
    this._joinedKeys = joined;
    if (changed && this._chosen.length === 0 && metricKeys.length > 0) {
      this._chosen = metricKeys.slice(0, 1);
    }
  }

  /** Chart a metric, or stop charting it. */
  toggle(key: string): void {
    const chosen = this._chosen;
    this._choose(
      chosen.includes(key) ? chosen.filter(k => k !== key) : [...chosen, key],
      this._split
    );
  }

  setSplit(split: boolean): void {
    this._choose(this._chosen, split);
  }

  /** Fetch the histories of the metrics shown. */
  async refresh(): Promise<void> {
    const shown = this.shown;
    this._fetchedKeys = shown.join('\0');
    const outcome = await this.latest('series', () =>
      Promise.all(
        shown.map(key =>
          this._api.runs
            .history(this.runId, key)
            .then(reply => ({ key, reply }))
        )
      )
    );
    if (outcome?.ok) {
      this._series = outcome.value;
      this._error = null;
    } else if (outcome) {
      this._error = outcome.error;
    }
    if (outcome) {
      this.emit();
    }
  }

  private _choose(chosen: string[], split: boolean): void {
    this._chosen = chosen;
    this._split = split;
    this.emit();
    if (this.shown.join('\0') !== this._fetchedKeys) {
      void this.refresh();
    }
  }

  private _metricKeys: string[] = [];
  private _joinedKeys: string | null = null;
  private _chosen: string[] = [];
  private _split = false;
  private _series: IKeyedSeries[] = [];
  private _error: string | null = null;
  private _fetchedKeys = '';
}
