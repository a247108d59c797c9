// `timeslice`: importing this module loads the core lazily and starts nothing.
export * from './core.js';
