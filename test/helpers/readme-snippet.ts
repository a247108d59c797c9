// The README's and docs' snippets as a user copies them: every ```js or ```ts
// block (with the `<!-- snippet-declare/file -->` comments that set one up for
// test/docs/snippets.test.ts, which type-checks them), and the first one after
// a heading as JavaScript Node can run (TypeScript's types stripped by
// esbuild, nothing else changed).
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const README = new URL('../../README.md', import.meta.url);
const FENCE = /((?:<!-- snippet-(?:declare|file): [\s\S]*? -->\n)*)```(js|ts|javascript|typescript)\n([\s\S]*?)```/g;

export interface SnippetFence {
  /** Where the fence starts in the page (after its set-up comments). */
  index: number;
  /** The set-up comments right before the fence, as written. */
  setup: string;
  typescript: boolean;
  code: string;
}

/** Every JavaScript or TypeScript fence of a page, in order. */
export function snippetFences(text: string): SnippetFence[] {
  return [...text.matchAll(FENCE)].map((m) => ({
    index: m.index! + m[1]!.length,
    setup: m[1]!,
    typescript: m[2] === 'ts' || m[2] === 'typescript',
    code: m[3]!,
  }));
}

/** The first snippet after the heading that starts with `heading`, runnable. Throws if there is none. */
export function readmeSnippet(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf(`\n## ${heading}`);
  if (at < 0) throw new Error(`README has no heading '## ${heading}'`);
  const fence = snippetFences(readme).find((f) => f.index > at);
  if (!fence) throw new Error(`README has no snippet after '## ${heading}'`);
  return fence.typescript ? transformSync(fence.code, { loader: 'ts', format: 'esm' }).code : fence.code;
}
