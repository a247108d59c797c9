// The contract every cluster-capable store passes (src/store/cluster.ts), as
// store-contract.ts is for the one-owner Store: each cluster store's test file
// calls describeClusterContract() with a ClusterStoreHarness.
import { describe, it } from 'vitest';
import { clusterBatchCases } from './contract/cluster-batch-cases.js';
import { clusterSlotCases } from './contract/cluster-cases.js';
import type { ClusterStoreHarness } from './contract/cluster-harness.js';
import { clusterLeaseCases } from './contract/cluster-lease-cases.js';
import { clusterNotifyCases } from './contract/cluster-notify-cases.js';
import { clusterPruneCases } from './contract/cluster-prune-cases.js';

export const clusterCases = [...clusterSlotCases, ...clusterBatchCases, ...clusterLeaseCases, ...clusterNotifyCases, ...clusterPruneCases];

export function describeClusterContract(harness: ClusterStoreHarness): void {
  describe(`${harness.name} passes the cluster contract`, () => {
    for (const c of clusterCases) it(c.name, () => c.run(harness));
  });
}
