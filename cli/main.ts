#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './program.js';

// The runbooks' variables set but empty (docker compose's `${VAR:-}`) are unset, not malformed.
for (const [name, value] of Object.entries(process.env)) if (value === '') delete process.env[name];

const io = processIo();
const code = await runCli(process.argv, io);
io.setExitCode(code);
