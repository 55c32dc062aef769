#!/usr/bin/env node
import { runConvert } from './commands/convert.js';
import { runCommand } from './run-command.js';

runCommand('nin-convert', () => runConvert(process.argv.slice(2)));
