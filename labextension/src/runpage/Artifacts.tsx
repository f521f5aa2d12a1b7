/**
 * A run's artifacts: a tree whose folders expand on demand, a preview of the
 * chosen file (text, image, CSV table, notebook cells) and a download link.
 */
import * as React from 'react';

import {
  artifactBlob,
  artifactText,
  downloadArtifact,
  listArtifacts
} from './api';
import { isModelFolder } from '../registry/logic';
import { formatSize, parseCsv, previewKind } from './logic';
import { IArtifactFile, INotebookJSON } from './types';

const CSV_ROWS = 200;

function Folder(props: {
  runId: string;
  path: string;
  selected: string | null;
  onSelect: (file: IArtifactFile) => void;
  /** Register a model folder (one holding `MLmodel`) of this run. */
  onRegister?: (path: string) => void;
}): JSX.Element {
  const [files, setFiles] = React.useState<IArtifactFile[] | null>(null);
  const [open, setOpen] = React.useState<Record<string, boolean>>({});
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    listArtifacts(props.runId, props.path)
      .then(reply => setFiles(reply.files))
      .catch(reason => setError(String(reason.message ?? reason)));
  }, [props.runId, props.path]);
  if (error) {
    return <div className="lt-RunPage-error">{error}</div>;
  }
  if (files === null) {
    return <div className="lt-Artifacts-loading">Loading…</div>;
  }
  if (files.length === 0 && props.path === '') {
    return <p className="lt-RunPage-empty">No artifacts.</p>;
  }
  const onRegister = props.onRegister;
  return (
    <ul className="lt-Artifacts-list">
      {onRegister && props.path !== '' && isModelFolder(files) && (
        <li className="lt-Artifacts-model">
          <button
            className="jp-Button jp-mod-styled jp-mod-accept lt-Artifacts-register"
            title={`Register ${props.path} in the model registry`}
            onClick={() => onRegister(props.path)}
          >
            Register model
          </button>
        </li>
      )}
      {files.map(f => {
        const name = f.path.split('/').pop() ?? f.path;
        if (f.is_dir) {
          return (
            <li key={f.path}>
              <button
                className="lt-Artifacts-item lt-Artifacts-dir"
                onClick={() => setOpen(o => ({ ...o, [f.path]: !o[f.path] }))}
              >
                {open[f.path] ? '▾' : '▸'} {name}/
              </button>
              {open[f.path] && <Folder {...props} path={f.path} />}
            </li>
          );
        }
        return (
          <li key={f.path}>
            <button
              className={`lt-Artifacts-item lt-Artifacts-file${
                props.selected === f.path ? ' lt-mod-selected' : ''
              }`}
              onClick={() => props.onSelect(f)}
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

type Content =
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string }
  | { kind: 'csv'; rows: string[][] }
  | { kind: 'notebook'; notebook: INotebookJSON }
  | { kind: 'none' };

async function loadContent(runId: string, path: string): Promise<Content> {
  const kind = previewKind(path);
  if (kind === 'image') {
    const blob = await artifactBlob(runId, path);
    return { kind, url: URL.createObjectURL(blob) };
  }
  if (kind === 'none') {
    return { kind };
  }
  const body = await artifactText(runId, path);
  if (kind === 'notebook') {
    const notebook =
      typeof body === 'string' ? (JSON.parse(body) as INotebookJSON) : body;
    return { kind, notebook: notebook as INotebookJSON };
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  if (kind === 'csv') {
    return {
      kind,
      rows: parseCsv(text, CSV_ROWS + 1, path.endsWith('.tsv') ? '\t' : ',')
    };
  }
  return { kind: 'text', text };
}

/** Notebook cells' sources, as text. */
export function NotebookCells(props: { notebook: INotebookJSON }): JSX.Element {
  return (
    <div className="lt-NotebookCells">
      {(props.notebook.cells ?? []).map((cell, i) => (
        <div
          key={i}
          className={`lt-NotebookCells-cell lt-mod-${cell.cell_type}`}
        >
          <div className="lt-NotebookCells-prompt">
            {cell.cell_type === 'code' ? `[${i + 1}]` : cell.cell_type}
          </div>
          <pre>
            {Array.isArray(cell.source) ? cell.source.join('') : cell.source}
          </pre>
        </div>
      ))}
    </div>
  );
}

function Preview(props: { runId: string; file: IArtifactFile }): JSX.Element {
  const { runId, file } = props;
  const [content, setContent] = React.useState<Content | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    let url: string | null = null;
    setContent(null);
    setError(null);
    loadContent(runId, file.path)
      .then(c => {
        if (c.kind === 'image') {
          url = c.url;
        }
        setContent(c);
      })
      .catch(reason => setError(String(reason.message ?? reason)));
    return () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [runId, file.path]);

  let body: JSX.Element;
  if (error) {
    body = <div className="lt-RunPage-error">{error}</div>;
  } else if (content === null) {
    body = <div className="lt-Artifacts-loading">Loading…</div>;
  } else if (content.kind === 'text') {
    body = <pre className="lt-Preview-text">{content.text}</pre>;
  } else if (content.kind === 'image') {
    body = (
      <img className="lt-Preview-image" src={content.url} alt={file.path} />
    );
  } else if (content.kind === 'csv') {
    const [head, ...rows] = content.rows;
    body = (
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
  } else if (content.kind === 'notebook') {
    body = <NotebookCells notebook={content.notebook} />;
  } else {
    body = <p className="lt-RunPage-empty">No preview for this file type.</p>;
  }
  return (
    <div className="lt-Preview">
      <div className="lt-Preview-header">
        <span className="lt-Preview-path">{file.path}</span>
        <button
          className="jp-Button lt-Preview-download"
          onClick={() => void downloadArtifact(runId, file.path)}
        >
          Download
        </button>
      </div>
      {body}
    </div>
  );
}

export function Artifacts(props: {
  runId: string;
  onRegister?: (path: string) => void;
}): JSX.Element {
  const [selected, setSelected] = React.useState<IArtifactFile | null>(null);
  return (
    <div className="lt-Artifacts">
      <div className="lt-Artifacts-tree">
        <Folder
          runId={props.runId}
          path=""
          selected={selected?.path ?? null}
          onSelect={setSelected}
          onRegister={props.onRegister}
        />
      </div>
      {selected && <Preview runId={props.runId} file={selected} />}
    </div>
  );
}
