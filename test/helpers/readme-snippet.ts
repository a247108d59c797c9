// The README's snippets as a user copies them: the first ```js or ```ts block
// after a heading, as JavaScript Node can run (TypeScript's types stripped by
// esbuild, nothing else changed). test/docs/snippets.test.ts type-checks them.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const README = new URL('../../README.md', import.meta.url);

/** The first snippet after the heading that starts with `heading`, runnable. Throws if there is none. */
export function readmeSnippet(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf(`\n## ${heading}`);
  if (at < 0) throw new Error(`README has no heading '## ${heading}'`);
  const block = readme.slice(at).match(/```(js|ts)\n([\s\S]*?)```/);
  if (!block) throw new Error(`README has no snippet after '## ${heading}'`);
  return block[1] === 'js' ? block[2]! : transformSync(block[2]!, { loader: 'ts', format: 'esm' }).code;
}
