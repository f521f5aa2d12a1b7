/** `GET store`: which store the server reads. */
import type { ITransport } from './transport';
import type { IStoreInfo } from './types';

export class StoreAPI {
  constructor(private readonly _transport: ITransport) {}

  get(init?: RequestInit): Promise<IStoreInfo> {
    return this._transport.request<IStoreInfo>('store', init);
  }
}
