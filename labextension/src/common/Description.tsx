import * as React from 'react';

import { EditableText } from './EditableText';
import type { MarkdownRenderer } from './markdown';

/** The editable Markdown description of a run or a registered model. */
export function Description(props: {
  value: string;
  onSave: (value: string) => Promise<void>;
  renderMarkdown: MarkdownRenderer | null;
}): JSX.Element {
  return (
    <>
      <h3>Description</h3>
      <EditableText
        className="lt-RunPage-description"
        multiline
        value={props.value}
        placeholder="Add a description (click to edit; Ctrl+Enter saves)"
        onSave={props.onSave}
        renderMarkdown={props.renderMarkdown}
      />
    </>
  );
}
