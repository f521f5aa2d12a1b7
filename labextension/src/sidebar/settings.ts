/**
 * The sidebar's settings (`schema/plugin.json`): their defaults, and the
 * state following them as they change.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

import type { SidebarState } from './state';

/** Default of the `pollInterval` setting, in milliseconds. */
export const DEFAULT_POLL_INTERVAL = 2000;

/** Default of the `pageSize` setting. */
export const DEFAULT_PAGE_SIZE = 100;

/** Default of the `defaultColumns` setting. */
export const DEFAULT_COLUMNS = ['metrics.*', 'params.*'];

/** Apply the settings to the state now and whenever they change. */
export function followSettings(
  settings: ISettingRegistry.ISettings,
  state: SidebarState
): void {
  const apply = (): void => {
    const poll = settings.get('pollInterval').composite;
    state.pollInterval =
      typeof poll === 'number' ? poll : DEFAULT_POLL_INTERVAL;
    const size = settings.get('pageSize').composite;
    state.runs.pageSize = typeof size === 'number' ? size : DEFAULT_PAGE_SIZE;
    const columns = settings.get('defaultColumns').composite;
    state.runs.defaultColumns = Array.isArray(columns)
      ? columns.filter((c): c is string => typeof c === 'string')
      : DEFAULT_COLUMNS;
  };
  apply();
  settings.changed.connect(apply);
}
