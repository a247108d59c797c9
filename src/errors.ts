// The error classes live beside the core's status codes (bindings/errors.ts),
// because the bindings are the first to throw them; this is their public home.
export {
  TimesliceError,
  InvalidArgumentError,
  InvalidHandleError,
  StaleHandleError,
  InvalidStateError,
  CoreOutOfMemoryError,
  BatchError,
} from '../bindings/errors.js';
