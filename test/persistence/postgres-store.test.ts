// PostgresStore against the store contract, the slot model and the round-trip
// property, on the local PostgreSQL server: a database for this file, a schema
// per location (postgres-db.ts).
import { postgresStore } from '../../src/store/postgres-store.js';
import { usePostgresDatabase } from './postgres-db.js';
import { describeRoundTripProperty } from './round-trip-property.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';

const db = usePostgresDatabase('store_contract');

const harness = {
  name: 'PostgresStore',
  async location() {
    const schema = db.nextSchema();
    return { store: () => postgresStore({ connectionString: db.url }, { schema }), dispose: async () => {} };
  },
};

describeStoreContract(harness);
describeSlotModel(harness, 25);
describeRoundTripProperty(harness);
