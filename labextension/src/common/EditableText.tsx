import * as React from 'react';

import { errorMessage } from './errors';
import { Markdown, MarkdownRenderer } from './markdown';

/** A text that becomes an input on click; Enter or blur saves. */
export function EditableText(props: {
  value: string;
  multiline?: boolean;
  placeholder: string;
  className: string;
  onSave: (value: string) => Promise<void>;
  /** Show the value as Markdown when not editing. */
  renderMarkdown?: MarkdownRenderer | null;
}): JSX.Element {
  const [editing, setEditing] = React.useState(false);
  const [draft, setDraft] = React.useState(props.value);
  const [error, setError] = React.useState<string | null>(null);
  const save = (): void => {
    setEditing(false);
    if (draft !== props.value) {
      props
        .onSave(draft)
        .then(() => setError(null))
        .catch(reason => setError(errorMessage(reason)));
    }
  };
  if (!editing) {
    return (
      <span className={props.className}>
        <span
          className={`${props.className}-text${props.value ? '' : ' lt-mod-placeholder'}`}
          title="Click to edit"
          onClick={e => {
            // A link in the rendered Markdown is followed, not edited.
            if ((e.target as HTMLElement).closest('a')) {
              return;
            }
            setDraft(props.value);
            setEditing(true);
          }}
        >
          {props.value && props.renderMarkdown !== undefined ? (
            <Markdown
              text={props.value}
              render={props.renderMarkdown}
              className="lt-RunPage-markdown"
            />
          ) : (
            props.value || props.placeholder
          )}
        </span>
        {error && <span className="lt-RunPage-error">{error}</span>}
      </span>
    );
  }
  const common = {
    className: `${props.className}-input`,
    value: draft,
    autoFocus: true,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      setDraft(e.target.value),
    onBlur: save,
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Escape') {
        setEditing(false);
      } else if (e.key === 'Enter' && (!props.multiline || e.ctrlKey)) {
        save();
      }
    }
  };
  return props.multiline ? (
    <textarea rows={4} {...common} />
  ) : (
    <input {...common} />
  );
}
