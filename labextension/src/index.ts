/** The labtrack plugins; each feature defines its own in `<feature>/plugin.ts`. */
import comparePlugin from './compare/plugin';
import registryPlugin from './registry/plugin';
import reproducePlugin from './reproduce/plugin';
import runLinkPlugin from './runlink/plugin';
import runPagePlugin from './runpage/plugin';
import sharePlugin from './share/plugin';
import sidebarPlugin from './sidebar/plugin';
import versionsPlugin from './versions/plugin';

export default [
  sidebarPlugin,
  runPagePlugin,
  comparePlugin,
  versionsPlugin,
  registryPlugin,
  reproducePlugin,
  sharePlugin,
  runLinkPlugin
];
