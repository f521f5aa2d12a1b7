/**
 * A run's artifacts: a tree whose folders expand on demand, a preview of the
 * chosen file (text, image, CSV table, notebook cells) and a download link.
 * It only presents `ArtifactsState`.
 */
import * as React from 'react';

import type { IArtifactFile } from '../api/types';
import { formatSize } from '../common/format';
import { isModelFolder } from '../common/modelFolder';
import { ErrorText, Loading } from '../common/Status';
import type {
  ArtifactsState,
  Preview as PreviewContent
} from './artifactsState';
import { NotebookCells } from './NotebookCells';

function Folder(props: {
  state: ArtifactsState;
  path: string;
  /** Register a model folder (one holding `MLmodel`) of this run. */
  onRegister?: (path: string) => void;
}): JSX.Element {
  const { state, path } = props;
  const folder = state.folder(path);
  if (folder?.error) {
    return <ErrorText>{folder.error}</ErrorText>;
  }
  const files = folder?.files ?? null;
  if (files === null) {
    return <Loading />;
  }
  if (files.length === 0 && path === '') {
    return <p className="lt-RunPage-empty">No artifacts.</p>;
  }
  const onRegister = props.onRegister;
  const selected = state.selected?.path ?? null;
  return (
    <ul className="lt-Artifacts-list">
      {onRegister && path !== '' && isModelFolder(files) && (
        <li className="lt-Artifacts-model">
          <button
            className="jp-Button jp-mod-styled jp-mod-accept lt-Artifacts-register"
            title={`Register ${path} in the model registry`}
            onClick={() => onRegister(path)}
          >
            Register model
          </button>
        </li>
      )}
      {files.map(f => {
        const name = f.path.split('/').pop() ?? f.path;
        if (f.is_dir) {
          const open = state.isOpen(f.path);
          return (
            <li key={f.path}>
              <button
                className="lt-Artifacts-item lt-Artifacts-dir"
                onClick={() => state.toggle(f.path)}
              >
                {open ? '▾' : '▸'} {name}/
              </button>
              {open && <Folder {...props} path={f.path} />}
            </li>
          );
        }
        return (
          <li key={f.path}>
            <button
              className={`lt-Artifacts-item lt-Artifacts-file${
                selected === f.path ? ' lt-mod-selected' : ''
              }`}
              onClick={() => void state.select(f)}
              title={f.path}
            >
              {name}
              <span className="lt-Artifacts-size">
                {formatSize(f.file_size)}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function PreviewBody(props: {
  file: IArtifactFile;
  content: PreviewContent | null;
  error: string | null;
}): JSX.Element {
  const { content } = props;
  if (props.error) {
    return <ErrorText>{props.error}</ErrorText>;
  }
  if (content === null) {
    return <Loading />;
  }
  switch (content.kind) {
    case 'text':
      return <pre className="lt-Preview-text">{content.text}</pre>;
    case 'image':
      return (
        <img
          className="lt-Preview-image"
          src={content.url}
          alt={props.file.path}
        />
      );
    case 'csv': {
      const [head, ...rows] = content.rows;
      return (
        <table className="lt-Preview-csv lt-Table">
          <thead>
            <tr>
              {(head ?? []).map((h, i) => (
                <th key={i}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    case 'notebook':
      return <NotebookCells notebook={content.notebook} />;
    default:
      return <p className="lt-RunPage-empty">No preview for this file type.</p>;
  }
}

function Preview(props: {
  state: ArtifactsState;
  file: IArtifactFile;
}): JSX.Element {
  const { state, file } = props;
  return (
    <div className="lt-Preview">
      <div className="lt-Preview-header">
        <span className="lt-Preview-path">{file.path}</span>
        <button
          className="jp-Button lt-Preview-download"
          onClick={() => void state.download(file.path)}
        >
          Download
        </button>
      </div>
      <PreviewBody
        file={file}
        content={state.preview}
        error={state.previewError}
      />
    </div>
  );
}

export function Artifacts(props: {
  state: ArtifactsState;
  onRegister?: (path: string) => void;
}): JSX.Element {
  const selected = props.state.selected;
  return (
    <div className="lt-Artifacts">
      <div className="lt-Artifacts-tree">
        <Folder state={props.state} path="" onRegister={props.onRegister} />
      </div>
      {selected && <Preview state={props.state} file={selected} />}
    </div>
  );
}
