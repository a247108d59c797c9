// Runs shell commands at the same time and fails when any of them fails: the
// independent steps of `npm run build` and `npm test` (lint beside the wasm
// builds, the type check beside the tests), so a 2-core machine is kept busy
// while one step waits on disk or child processes.
//
//   node scripts/parallel.mjs <label>=<command> [<label>=<command> ...]
//
// Every command runs to its end even when another fails (so one run shows
// every error). Output is passed through line by line, each line prefixed with
// its command's label; each command's end is reported with its time. The exit
// status is 0 when every command exited 0, else the first failing command's
// (in argument order). SIGINT, SIGTERM and SIGHUP are passed to every command's
// whole process group (each command runs in a group of its own, so that `npm
// run x` and what it starts get the signal, not only the shell).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const USAGE = 'usage: node scripts/parallel.mjs <label>=<command> [<label>=<command> ...]';

/** Parses the arguments into [{ label, command }]; throws on a malformed one. */
function parseArgs(argv) {
  if (argv.length === 0) throw new Error(`no command given. ${USAGE}`);
  return argv.map((arg) => {
    const match = /^([\w:.-]+)=(.*\S.*)$/s.exec(arg);
    if (match === null) throw new Error(`expected <label>=<command>; received ${JSON.stringify(arg)}. ${USAGE}`);
    return { label: match[1], command: match[2] };
  });
}

/** Writes each complete line of a stream with the prefix; the rest when the stream ends. */
function prefixLines(stream, out, prefix) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) out.write(`${prefix}${line}\n`);
  });
  return new Promise((resolve) => {
    stream.on('end', () => {
      if (pending !== '') out.write(`${prefix}${pending}\n`);
      resolve();
    });
  });
}

function run({ label, command }, width, children) {
  const prefix = `${label.padEnd(width)} | `;
  const startMs = performance.now();
  // Colours stay on where the terminal has them, though the output is piped through here.
  const color = process.stdout.isTTY && process.env.NO_COLOR === undefined ? { FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } : {};
  const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...color } });
  children.push(child);
  const drained = Promise.all([prefixLines(child.stdout, process.stdout, prefix), prefixLines(child.stderr, process.stderr, prefix)]);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`${prefix}cannot start: ${error.message}\n`);
      resolve(127);
    });
    child.on('close', async (code, signal) => {
      await drained;
      const seconds = ((performance.now() - startMs) / 1000).toFixed(1);
      const status = signal === null ? code : `signal ${signal}`;
      process.stderr.write(`${prefix}${status === 0 ? 'done' : `FAILED (${status})`} in ${seconds} s: ${command}\n`);
      resolve(signal === null ? (code ?? 1) : 1);
    });
  });
}

async function main() {
  let commands;
  try {
    commands = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`parallel: ${error.message}\n`);
    return 2;
  }
  const width = Math.max(...commands.map(({ label }) => label.length));
  const children = [];
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // The group has ended meanwhile.
        }
      }
    });
  }
  const statuses = await Promise.all(commands.map((command) => run(command, width, children)));
  return statuses.find((status) => status !== 0) ?? 0;
}

process.exitCode = await main();
