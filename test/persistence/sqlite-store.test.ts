// SqliteStore against the store contract and the slot model, on real files
// (WAL, synchronous=FULL: what ships), in a temporary directory.
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { describeRoundTripProperty } from './round-trip-property.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';
import { tempDir } from './temp-dir.js';

const harness = {
  name: 'SqliteStore',
  async location() {
    const temp = await tempDir();
    return { store: () => new SqliteStore(temp.file('jobs.db')), dispose: temp.dispose };
  },
};

describeStoreContract(harness);
describeSlotModel(harness, 25);
describeRoundTripProperty(harness);
