// Refuses `npm publish` while package.json lacks where users find the project:
// `repository`, `homepage` and `bugs` (issue 12). They need the project's public
// address, which this repository does not have yet (no remote, no URL anywhere);
// inventing one would send users to somebody else's page. Run by prepublishOnly;
// `node scripts/check-publish-fields.mjs [path/to/package.json]`.
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? new URL('../package.json', import.meta.url);
const packageJson = JSON.parse(readFileSync(path, 'utf8'));
const missing = ['repository', 'homepage', 'bugs'].filter((field) => packageJson[field] === undefined);
if (missing.length > 0) {
  console.error(`package.json has no ${missing.join(', ')}: add the project's public address before publishing.`);
  process.exit(1);
}
