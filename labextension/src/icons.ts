import { LabIcon } from '@jupyterlab/ui-components';

import labtrackSvgstr from '../style/icons/labtrack.svg';

/** The labtrack icon: sidebar tab, command and settings entry. */
export const labtrackIcon = new LabIcon({
  name: 'labtrack:icon',
  svgstr: labtrackSvgstr
});
