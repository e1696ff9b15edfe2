/**
 * oidc-provider's storage adapter over the sandbox FileStore: sessions, interactions, codes, tokens, grants and
 * replay-detection records persist across restarts. Modelled on oidc-provider's own memory adapter (same indexes).
 * https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { FileStore } from './fileStore';

// Models whose records belong to a grant and are revoked with it.
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const grantKey = (grantId: string): string => `grant:${grantId}`;
const sessionUidKey = (uid: string): string => `sessionUid:${uid}`;
const userCodeKey = (userCode: string): string => `userCode:${userCode}`;

class FileAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: FileStore,
  ) {}

  #key(id: string): string {
    return `${this.model}:${id}`;
  }

  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.#key(id);
    this.store.set(key, payload, expiresIn);
    if (this.model === 'Session' && payload.uid) this.store.set(sessionUidKey(payload.uid), id, expiresIn);
    if (payload.userCode) this.store.set(userCodeKey(payload.userCode), id, expiresIn);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const members = this.store.get<string[]>(grantKey(payload.grantId)) ?? [];
      if (!members.includes(key)) members.push(key);
      // The index lives as long as the longest-lived member could; stale member keys are harmless.
      this.store.set(grantKey(payload.grantId), members, 14 * 24 * 60 * 60);
    }
    return Promise.resolve();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.store.get<AdapterPayload>(this.#key(id)));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.get<string>(sessionUidKey(uid));
    return id === undefined ? Promise.resolve(undefined) : this.find(id);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.store.get<string>(userCodeKey(userCode));
    return id === undefined ? Promise.resolve(undefined) : this.find(id);
  }

  consume(id: string): Promise<void> {
    const key = this.#key(id);
    const payload = this.store.get<AdapterPayload>(key);
    if (payload) {
      const remaining = payload.exp === undefined ? undefined : payload.exp - Math.floor(Date.now() / 1000);
      this.store.set(key, { ...payload, consumed: Math.floor(Date.now() / 1000) }, remaining);
    }
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.store.delete(this.#key(id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.store.get<string[]>(grantKey(grantId)) ?? []) this.store.delete(key);
    this.store.delete(grantKey(grantId));
    return Promise.resolve();
  }
}

/** An oidc-provider adapter factory persisting every model in `store`. */
export function fileAdapterFactory(store: FileStore): (model: string) => Adapter {
  return (model) => new FileAdapter(model, store);
}
