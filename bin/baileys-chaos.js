#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the package works from a fresh clone without a build.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
