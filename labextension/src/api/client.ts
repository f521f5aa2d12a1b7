/**
 * Every endpoint of the labtrack server, by area. Features hold one
 * `LabtrackAPI` (the app's comes from `serverAPI()` in request.ts; unit
 * tests build one on a fake transport).
 */
import { ExperimentsAPI } from './experiments';
import { LoggedModelsAPI } from './loggedModels';
import { NotebooksAPI } from './notebooks';
import { PermissionsAPI } from './permissions';
import { RegistryAPI } from './registry';
import { ReproduceAPI } from './reproduce';
import { RunsAPI } from './runs';
import { StoreAPI } from './store';
import { TransitionRequestsAPI } from './transitionRequests';
import type { ITransport } from './transport';

export class LabtrackAPI {
  constructor(transport: ITransport) {
    this.experiments = new ExperimentsAPI(transport);
    this.loggedModels = new LoggedModelsAPI(transport);
    this.notebooks = new NotebooksAPI(transport);
    this.permissions = new PermissionsAPI(transport);
    this.registry = new RegistryAPI(transport);
    this.reproduce = new ReproduceAPI(transport);
    this.runs = new RunsAPI(transport);
    this.store = new StoreAPI(transport);
    this.transitionRequests = new TransitionRequestsAPI(transport);
  }

  readonly experiments: ExperimentsAPI;
  /** MLflow 3 logged models and their files. */
  readonly loggedModels: LoggedModelsAPI;
  /** Run notebook versions. */
  readonly notebooks: NotebooksAPI;
  /** Owners and grants of experiments and registered models (team mode). */
  readonly permissions: PermissionsAPI;
  /** Registered models, versions, stages, aliases and serving. */
  readonly registry: RegistryAPI;
  readonly reproduce: ReproduceAPI;
  readonly runs: RunsAPI;
  readonly store: StoreAPI;
  /** Stage-transition requests, comments and version activity. */
  readonly transitionRequests: TransitionRequestsAPI;
}
