// Every case of the store contract, runner-free (see ../store-contract.ts).
import { slotCases } from './slot-cases.js';
import { taskCases } from './task-cases.js';

export type { ContractCase, StoreHarness, StoreLocation } from './harness.js';
export const contractCases = [...taskCases, ...slotCases];
