#!/usr/bin/env node
// The CLI. From a clone (the TypeScript sources are here) it runs them through tsx, so no build
// step is needed; from an installed package it runs the compiled files in dist/.
import { existsSync } from 'node:fs';

const sources = new URL('../harness/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/harness/cli/main.js');
}
