// The browser's stores: the identity key pair and the pinned identity keys
// in IndexedDB. A CryptoKey is stored as itself (structured clone), so the
// private key stays non-extractable on disk too.

import type { Bytes } from './bytes';
import type { IdentityKeyStore } from './identity';
import type { PinStore } from './trust';

const DB_NAME = 'ciphertalk-e2ee';
const DB_VERSION = 1;
const IDENTITY_STORE = 'identity';
const PIN_STORE = 'pins';
const IDENTITY_RECORD = 'device';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openE2eeDatabase(factory: IDBFactory = indexedDB, name = DB_NAME): Promise<IDBDatabase> {
  const req = factory.open(name, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(IDENTITY_STORE)) db.createObjectStore(IDENTITY_STORE);
    if (!db.objectStoreNames.contains(PIN_STORE)) db.createObjectStore(PIN_STORE);
  };
  return request(req);
}

async function get<T>(db: IDBDatabase, store: string, key: string): Promise<T | null> {
  const value = await request(db.transaction(store, 'readonly').objectStore(store).get(key));
  return (value as T | undefined) ?? null;
}

async function put(db: IDBDatabase, store: string, key: string, value: unknown): Promise<void> {
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export class IndexedDbIdentityKeyStore implements IdentityKeyStore {
  constructor(private readonly db: IDBDatabase) {}
  async load(): Promise<CryptoKeyPair | null> {
    const record = await get<{ publicKey: CryptoKey; privateKey: CryptoKey }>(this.db, IDENTITY_STORE, IDENTITY_RECORD);
    return record === null ? null : { publicKey: record.publicKey, privateKey: record.privateKey };
  }
  save(pair: CryptoKeyPair): Promise<void> {
    return put(this.db, IDENTITY_STORE, IDENTITY_RECORD, { publicKey: pair.publicKey, privateKey: pair.privateKey });
  }
}

export class IndexedDbPinStore implements PinStore {
  constructor(private readonly db: IDBDatabase) {}
  async get(identity: string): Promise<Bytes | null> {
    const value = await get<ArrayBuffer>(this.db, PIN_STORE, identity);
    return value === null ? null : new Uint8Array(value);
  }
  set(identity: string, identityKey: Bytes): Promise<void> {
    return put(this.db, PIN_STORE, identity, identityKey.slice().buffer);
  }
}
