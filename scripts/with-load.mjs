// Runs a command while busy-loop processes keep the machine's cores busy, and
// always stops the loops afterwards.
//
//   node scripts/with-load.mjs [--loops N] -- <command> [args...]
//
// `npm run test:load` runs the whole suite this way: a test that passes on a
// quiet machine and fails here found a race in the product or a wall-time
// assumption in the test (the machines the suite runs on are often loaded).
//
// N defaults to one loop per core (os.availableParallelism()). The command
// inherits stdio; its environment gets TIMESLICE_LOAD_PIDS (the loops' pids,
// comma-separated). The exit status is the command's (128 + signal number when
// a signal ended it).
//
// No orphans: the loops are killed when the command ends (success or failure),
// when this process gets SIGINT, SIGTERM or SIGHUP, and on an unexpected error.
// The command runs in a process group of its own, and those signals are passed
// to the whole group: `npm test` and everything it started, not only npm. If this process is killed outright (SIGKILL),
// each loop notices within a fraction of a second that its parent changed and
// exits by itself; the command, like any shell's child, is then left to finish.
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';
import { spawnBusyLoop } from './busy-loop.mjs';

const USAGE = 'usage: node scripts/with-load.mjs [--loops N] -- <command> [args...]';

/** Parses `[--loops N] -- command args...` into `{ loops, command }`; throws on bad input. */
function parseArgs(argv, defaultLoops = availableParallelism()) {
  let loops = defaultLoops;
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    if (argv[i] === '--loops') {
      const value = argv[++i];
      if (!/^\d+$/.test(value ?? '')) throw new Error(`--loops takes a whole number of processes (0 or more); received ${JSON.stringify(value)}. ${USAGE}`);
      loops = Number(value);
    } else {
      throw new Error(`unknown option ${JSON.stringify(argv[i])}. ${USAGE}`);
    }
  }
  const command = argv.slice(i + 1);
  if (i === argv.length || command.length === 0) throw new Error(`no command given. ${USAGE}`);
  return { loops, command };
}

function startLoops(count) {
  const loops = [];
  for (let n = 0; n < count; n++) {
    loops.push(spawnBusyLoop());
  }
  return loops;
}

/** Kills the loops that still run; resolves once every one has exited (so none is left as a zombie either). */
function stopLoops(loops) {
  return Promise.all(
    loops.map((loop) => {
      if (loop.exitCode !== null || loop.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => loop.once('exit', resolve));
      loop.kill('SIGKILL');
      return exited;
    }),
  );
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`with-load: ${error.message}`);
    return 2;
  }
  const loops = startLoops(options.loops);
  // Last resort (an unexpected error ends this process): kill synchronously.
  process.on('exit', () => {
    for (const loop of loops) if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL');
  });
  const pids = loops.map((loop) => loop.pid).join(',');
  console.error(`with-load: ${loops.length} busy loop(s) running (pids ${pids || 'none'}) while: ${options.command.join(' ')}`);

  const [file, ...args] = options.command;
  const child = spawn(file, args, { stdio: 'inherit', detached: true, env: { ...process.env, TIMESLICE_LOAD_PIDS: pids } });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopLoops(loops);
      // The command's group is not the terminal's: a Ctrl-C reaches it through here.
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group has ended meanwhile.
      }
    });
  }
  const status = await new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`with-load: cannot run ${JSON.stringify(file)}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(signal === null ? (code ?? 1) : 128 + (constants.signals[signal] ?? 0)));
  });
  await stopLoops(loops);
  return status;
}

process.exitCode = await main();
