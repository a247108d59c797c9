// Types of build-inputs.mjs, for the TypeScript tests that use it.
export function inputsDigest(root: string): string;
export function distStaleness(root: string): string | undefined;
export const ROOT: string;
export function requireCurrentDist(root?: string): void;
export function requireCurrentBuildOf(file: string): void;
