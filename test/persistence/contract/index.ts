// Every case of the store contract, runner-free (see ../store-contract.ts).
import { leaseCases } from './lease-cases.js';
import { manualSlotCases } from './manual-slot-cases.js';
import { slotCases } from './slot-cases.js';
import { slotWritesCases } from './slot-writes-cases.js';
import { taskCases } from './task-cases.js';
import { taskQueryCases } from './task-query-cases.js';
import { traceCases } from './trace-cases.js';

export type { ContractCase, StoreHarness, StoreLocation } from './harness.js';
export const contractCases = [...taskCases, ...slotCases, ...manualSlotCases, ...slotWritesCases, ...leaseCases, ...taskQueryCases, ...traceCases];
