/**
 * The renderer of `application/vnd.labtrack.run-link+json`, the output a
 * notebook cell shows after it ended runs: "Logged 2 runs to experiment X:"
 * then one line per run, the run's name opening its page
 * (`labtrack:open-run`) and the experiment's showing it in the sidebar
 * (`labtrack:open-experiment`). Plain DOM and text nodes: every string from
 * the kernel is text, never markup.
 */
import type { IRenderMime } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

export const RUN_LINK_MIME = 'application/vnd.labtrack.run-link+json';

/** The bundle's JSON, as `labtrack.notebook.cell_output.summary` writes it. */
export interface IRunLinks {
  runs: {
    run_id: string;
    run_name: string;
    experiment_id: string;
    status: string;
  }[];
  experiments: { experiment_id: string; name: string }[];
}

/** Open a run page or show an experiment: the plugin runs the command. */
export type Opener = (
  command: 'run' | 'experiment',
  args: Record<string, string>
) => void;

function link(text: string, title: string, onOpen: () => void): HTMLElement {
  const a = document.createElement('a');
  a.href = '#';
  a.className = 'lt-RunLink';
  a.title = title;
  a.textContent = text;
  a.addEventListener('click', event => {
    event.preventDefault();
    onOpen();
  });
  return a;
}

/** The output's DOM for `data`. */
export function renderRunLinks(data: IRunLinks, open: Opener): HTMLElement {
  const root = document.createElement('div');
  root.className = 'lt-CellRuns';
  const runs = data.runs ?? [];
  const experiments = data.experiments ?? [];
  const names = new Map(experiments.map(e => [e.experiment_id, e.name]));
  const experimentLink = (id: string): HTMLElement =>
    link(names.get(id) ?? id, `Show experiment ${id} in the sidebar`, () =>
      open('experiment', { experimentId: id })
    );
  const head = document.createElement('div');
  head.className = 'lt-CellRuns-head';
  head.append(`Logged ${runs.length} run${runs.length === 1 ? '' : 's'} to `);
  if (experiments.length === 1) {
    head.append('experiment ', experimentLink(experiments[0].experiment_id));
  } else {
    head.append(`${experiments.length} experiments`);
  }
  root.append(head);
  const list = document.createElement('ul');
  list.className = 'lt-CellRuns-list';
  for (const run of runs) {
    const item = document.createElement('li');
    item.append(
      link(run.run_name || run.run_id, `Open run ${run.run_id}`, () =>
        open('run', { runId: run.run_id })
      )
    );
    if (run.status && run.status !== 'FINISHED') {
      item.append(` (${run.status})`);
    }
    if (experiments.length > 1) {
      item.append(' in ', experimentLink(run.experiment_id));
    }
    list.append(item);
  }
  root.append(list);
  return root;
}

/** A rendermime renderer for the run-link bundle. */
export class RunLinkRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly _open: Opener) {
    super();
    this.addClass('lt-CellRunsOutput');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[RUN_LINK_MIME] as unknown as IRunLinks;
    this.node.replaceChildren(renderRunLinks(data, this._open));
    return Promise.resolve();
  }
}
