/**
 * The `stde-bench` command line. Each sub-command is one file in cli/commands/ exporting
 * `register(program)`; they are discovered by name. A UsageError anywhere becomes a one-line
 * message on stderr and exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { outOfMemoryBehind } from '../engine/out-of-memory.ts';
import pkg from '../package.json' with { type: 'json' };

export type Register = (program: Command) => void;

function fail(message: string): never {
  process.stderr.write(`stde-bench: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

/**
 * Bad input, and memory the run cannot have (the WASM heap guard refused an allocation, however the
 * error surfaced afterwards), are one line and exit 2; anything else is a bug: its stack, exit 1.
 */
function end(e: unknown): never {
  if (e instanceof UsageError) fail(e.message);
  const oom = outOfMemoryBehind(e);
  if (oom) fail(oom);
  console.error(e);
  process.exit(1);
}

process.on('uncaughtException', end);
process.on('unhandledRejection', end);
// A reader that stopped early (`stde-bench run --list-presets | head -1`) wants no more: end quietly, as cat does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : end(e)));

const program = new Command('stde-bench')
  .description('Stochastic Taylor Derivative Estimator benchmark and reproduction suite (TensorFlow.js)')
  .version(pkg.version)
  .exitOverride()
  // Commander's own error line would be a second one: the message is printed once, by fail().
  .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });

const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
// .js as well as .ts, so that a compiled bundle of the CLI discovers its commands the same way.
for (const f of readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
  const mod = (await import(join(dir, f))) as { register?: Register };
  mod.register?.(program);
}

// `help NAME` of no command would print the whole help and name nothing.
const [first, second] = process.argv.slice(2);
const known = (name: string) => name === 'help' || name.startsWith('-') || program.commands.some((c) => c.name() === name || c.aliases().includes(name));
if (first === 'help' && second !== undefined && !known(second)) fail(`unknown command '${second}' (see stde-bench --help)`);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) process.exit(0);
    if (e.code === 'commander.help') process.exit(2); // no command given: the help, on stderr, says what to do
    fail(e.message.replace(/^error: /, ''));
  }
  end(e);
}
