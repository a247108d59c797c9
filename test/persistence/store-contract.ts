// The contract every Store passes (the model: unjs/unstorage's
// test/drivers/utils.ts, one suite run against each driver). The cases live in
// ./contract/ and use their own assertions, so the same list runs under vitest
// here and in Chromium (test/browser/indexeddb-store.browser.ts).
//
// Each store's test file calls describeStoreContract() with a StoreHarness:
// how to make a fresh location (database) and a store over it.
import { describe, it } from 'vitest';
import { contractCases, type StoreHarness } from './contract/index.js';

export function describeStoreContract(harness: StoreHarness): void {
  describe(`${harness.name} passes the store contract`, () => {
    for (const c of contractCases) it(c.name, () => c.run(harness));
  });
}
