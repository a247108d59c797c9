// `timeslice/store/memory`: the in-memory stores. MemoryStore is the one-owner
// reference store; MemoryClusterStore adds the cluster capability (cluster.ts),
// several instances over one MemoryClusterDatabase being several processes.
export { MemoryDatabase, MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  MemoryClusterDatabase, type MemoryClusterDatabaseOptions, MemoryClusterStore, type MemoryClusterStoreOptions, type WallClock,
} from './memory-cluster-store.js';
