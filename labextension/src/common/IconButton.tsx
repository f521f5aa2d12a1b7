import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

export interface IIconButtonProps {
  icon: LabIcon;
  /** Tooltip and accessible name. */
  title: string;
  onClick: () => void;
  /** Text shown beside the icon, if any. */
  label?: string;
  disabled?: boolean;
  className?: string;
  pressed?: boolean;
}

/** A small toolbar-style button with an icon and an optional label. */
export function IconButton(props: IIconButtonProps): JSX.Element {
  return (
    <button
      type="button"
      className={`lt-IconButton ${props.label ? 'lt-mod-labelled' : ''} ${props.className ?? ''}`}
      title={props.title}
      aria-label={props.label ? undefined : props.title}
      aria-pressed={props.pressed}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <props.icon.react tag="span" className="lt-IconButton-icon" />
      {props.label && (
        <span className="lt-IconButton-label">{props.label}</span>
      )}
    </button>
  );
}
