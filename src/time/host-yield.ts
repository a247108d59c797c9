// Host macrotasks: how a clock yields to the host event loop.
//
// yieldToHost must give pending I/O, timers and rendering their turn, which a
// microtask or a resolved promise does not. As in React's scheduler:
// setImmediate in Node (it runs after I/O, and a MessageChannel would keep the
// process alive); one reused MessageChannel in browsers (setTimeout(0) is
// clamped to >= 4 ms once nested); setTimeout(0) where neither exists. Each
// callback gets its own macrotask, so microtasks run between two callbacks.

/**
 * The host's macrotask primitives. RealClock passes the globals it finds on its
 * first yield; VirtualClock passes copies taken before a test could fake them.
 * @internal
 */
export interface HostPrimitives {
  setImmediate: ((fn: () => void) => unknown) | undefined;
  MessageChannel: (new () => MessageChannel) | undefined;
  setTimeout: (fn: () => void, delayMs: number) => unknown;
}

/**
 * A function that runs each callback in its own new macrotask, in FIFO order.
 * @internal
 */
export function createHostYield(host: HostPrimitives): (fn: () => void) => void {
  const { setImmediate: hostSetImmediate, MessageChannel: HostMessageChannel, setTimeout: hostSetTimeout } = host;
  if (hostSetImmediate !== undefined) return (fn) => void hostSetImmediate(fn);
  if (HostMessageChannel !== undefined) return channelYield(HostMessageChannel);
  return (fn) => void hostSetTimeout(fn, 0);
}

/** One channel, one message per callback, callbacks in a FIFO: message order is post order. */
function channelYield(HostMessageChannel: new () => MessageChannel): (fn: () => void) => void {
  const channel = new HostMessageChannel();
  // Node and Deno ports keep the process alive while referenced: only while work waits.
  const port = channel.port1 as MessagePort & { ref?: () => void; unref?: () => void };
  const queue: Array<(() => void) | undefined> = [];
  let head = 0;
  port.onmessage = () => {
    const fn = queue[head];
    queue[head++] = undefined;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      port.unref?.();
    }
    fn?.();
  };
  port.unref?.();
  return (fn) => {
    if (head === queue.length) port.ref?.();
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

