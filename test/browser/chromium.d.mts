// Types of chromium.mjs, for the TypeScript tests that use it.
export const DEFAULT_CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: string[];

export type BrowserRunDecision = { action: 'run'; path: string } | { action: 'skip'; message: string } | { action: 'fail'; message: string };

export function isExecutableFile(path: string): boolean;

export function decideBrowserRun(options: {
  env: Record<string, string | undefined>;
  isExecutable?: (path: string) => boolean;
}): BrowserRunDecision;
