// The README's and docs' snippets as a user copies them: every ```js or ```ts
// block (with the `<!-- snippet-declare/file -->` comments that set one up for
// test/docs/snippets.test.ts, which type-checks them), and the first one after
// a heading as JavaScript Node can run (TypeScript's types stripped by
// esbuild, nothing else changed).
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

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

/**
 * The first snippet after the heading (any level) that starts with `heading`
 * in `page` (a path from the repository's root: 'README.md', 'docs/guide.md'),
 * runnable. Throws if there is none.
 */
export function pageSnippet(page: string, heading: string): string {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
  const at = text.search(new RegExp(`(^|\\n)#{1,3} ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  if (at < 0) throw new Error(`${page} has no heading '${heading}'`);
  const fence = snippetFences(text).find((f) => f.index > at);
  if (!fence) throw new Error(`${page} has no snippet after '${heading}'`);
  return fence.typescript ? transformSync(fence.code, { loader: 'ts', format: 'esm' }).code : fence.code;
}

/** The first snippet after a README heading, runnable. */
export function readmeSnippet(heading: string): string {
  return pageSnippet('README.md', heading);
}
